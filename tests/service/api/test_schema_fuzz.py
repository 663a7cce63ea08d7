"""Property-based fuzzing of the OpenAPI schema (schemathesis): no 5xx, responses match it.

The app has an API key, so schemathesis also checks that /v1 refuses requests without it.
Runs in-process against the ASGI app with the fake encoder and stance scorer; examples per
operation are bounded so the whole run stays within tens of seconds.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from pydantic import SecretStr
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service.api import create_app
from service.api.engine import Engine
from service.persistence import Store
from service.settings import Settings
from tests.conftest import FakeEncoder
from tests.service.api.conftest import FakeStance

_DATA_DIR = Path(tempfile.mkdtemp(prefix="parallax-fuzz-"))
_KEY = "fuzz-key"
_SETTINGS = Settings(
    data_dir=_DATA_DIR, max_text_chars=5_000, max_in_flight=64, api_key=SecretStr(_KEY)
)
_STORE = Store(_SETTINGS.database)
_APP = create_app(_SETTINGS, engine=Engine(FakeEncoder(), stance=FakeStance()), store=_STORE)
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    _STORE.close()
    shutil.rmtree(_DATA_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    # Schema-valid bodies can still be refused for reasons a schema cannot state (a text in an
    # unsupported language, an unknown corpus): those 4xx are checked by the route tests, so the
    # "valid data must be accepted" check is left out; every other default check runs.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {_KEY}"}, excluded_checks=[positive_data_acceptance]
    )
