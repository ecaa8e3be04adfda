"""Metrics' rows of the access matrix (merged by tests/test_access_matrix.py).

Commissioners see their own organisations' measures; the oversight panel those of the
commissioners naming it (none in the matrix world, so the ICB's pages are hidden from it: 404).
Everyone else is refused (403), before any organisation is looked up.
"""

from tests.test_access_matrix import NO_POST, only


def no_kwargs(ctx):
    return {}


def icb_kwargs(ctx):
    return {"pk": ctx["organisations"]["icb"].pk}


def rows_kwargs(ctx):
    return {"pk": ctx["organisations"]["icb"].pk, "measure": "reviews-on-time"}


INDEX = only(
    {"commissioner": 200, "commissioner_other_org": 200, "chair": 200, "oversight_panel": 200},
    others=403,
)
ICB = only(
    {"commissioner": 200, "chair": 200, "commissioner_other_org": 404, "oversight_panel": 404},
    others=403,
)

MATRIX = {
    "metrics:index": (no_kwargs, INDEX, NO_POST),
    "metrics:organisation": (icb_kwargs, ICB, NO_POST),
    "metrics:rows": (rows_kwargs, ICB, NO_POST),
}
