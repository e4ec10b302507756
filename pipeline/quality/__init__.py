"""How good the output is: evaluation against gold files (CONTRACT.md), the committed
floors, and `explain` for one page."""
