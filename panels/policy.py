"""The panel's workbook: how it behaves as people type (ADR 0016: policy values live here)."""

# Local choice (product, not NHS policy): a workbook saves itself this long after the last
# keystroke (htmx autosave, ADR 0006): long enough not to post every letter, short enough that
# little is lost if the page is closed.
AUTOSAVE_DELAY_MS = 1500
