"""The links app's rows of the access matrix (merged by tests/test_access_matrix.py).

A link's page needs no sign-in: a token that opens no link is not found for everyone, signed
in or not, GET and POST. The commissioner's page of a recommendation's links is the
recommendation's managers' (chair and commissioner); those who may see the recommendation but
not manage it are refused (403); nobody else learns it exists (404).
"""

from tests.recommendations.access_matrix import MANAGE, recommendation_kwargs
from tests.test_access_matrix import acting, everyone


def token_kwargs(ctx):
    return {"token": "no-such-link"}


MATRIX = {
    "links:use": (token_kwargs, everyone(404), everyone(404)),
    "links:recommendation": (recommendation_kwargs, MANAGE, acting(MANAGE)),
}
