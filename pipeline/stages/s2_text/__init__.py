"""Stage 2, text: a `Document` in, its decoded characters, the pre-filter's verdict and its
main text as ordered blocks (`PageText`) out."""

from pipeline.stages.s2_text.blocks import decode_document, document_text, text_blocks
from pipeline.stages.s2_text.prefilter import may_state_partnership

__all__ = ["decode_document", "document_text", "may_state_partnership", "text_blocks"]
