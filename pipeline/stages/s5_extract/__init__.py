"""Stage 5, extract: a `Text` and its authority in, one `Finding` per partner named on the
page out: the candidate layer (`candidates`), the decision layer (`decide`) and the walk
over the page's blocks (`walker`), with the wording rules of `mentions`."""

from pipeline.stages.s5_extract.walker import extract_page, mentions_page

__all__ = ["extract_page", "mentions_page"]
