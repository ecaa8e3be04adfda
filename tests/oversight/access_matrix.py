"""Oversight's rows of the access matrix (merged by tests/test_access_matrix.py).

A person's oversight visits belong to their commissioners, as the person's page does: the
world's person is the ICB's, so its commissioner and chair see them and nobody else learns the
person exists. The list of visits due and the Assuring Transformation return are for any
commissioner (of their own organisations' people); the MHSDS return is for providers (their own
patients). Everyone else is refused (403).
"""

from tests.test_access_matrix import NO_POST, acting, only


def no_kwargs(ctx):
    return {}


def person_kwargs(ctx):
    return {"pk": ctx["world"]["person"].pk}


PERSON_OWNERS = only({"commissioner": 200, "chair": 200}, others=404)
COMMISSIONERS = only({"commissioner": 200, "commissioner_other_org": 200, "chair": 200}, others=403)
PROVIDERS = only({"provider": 200}, others=403)

MATRIX = {
    "oversight:visits_due": (no_kwargs, COMMISSIONERS, NO_POST),
    "oversight:person_visits": (person_kwargs, PERSON_OWNERS, NO_POST),
    "oversight:visit_create": (person_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    "oversight:home_area": (person_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    "oversight:return_items": (person_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    "oversight:at": (no_kwargs, COMMISSIONERS, NO_POST),
    "oversight:at_csv": (no_kwargs, COMMISSIONERS, NO_POST),
    "oversight:mhsds": (no_kwargs, PROVIDERS, NO_POST),
    "oversight:mhsds_csv": (no_kwargs, PROVIDERS, NO_POST),
}
