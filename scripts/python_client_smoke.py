"""Uses the Python client that scripts/check-python-client.sh generated, without a server.

Each check stands for a way the schema once tripped client generators up:
- every list page parses into the resource's own model (no invented `PageLeadDataItem`);
- an optional command body can be left out, and then no body is sent;
- an error status parses into `Problem`;
- a comma-list enum filter takes the enum's values.

Usage: PYTHONPATH=<dir holding salesops_client> python3 scripts/python_client_smoke.py openapi/openapi.json
"""

import json
import sys
import uuid

import httpx

import salesops_client
from salesops_client import models
from salesops_client.api.leads import list_leads
from salesops_client.api.opportunities import win_opportunity

spec = json.load(open(sys.argv[1], encoding="utf-8"))
schemas = spec["components"]["schemas"]

pages = [name for name in schemas if name.startswith("Page_")]
assert pages, "no list pages in the schema"
for page_name in pages:
    item_name = page_name.removeprefix("Page_")
    page_model = getattr(models, page_name.replace("_", ""))
    item_model = getattr(models, item_name)
    page = page_model.from_dict({"data": [schemas[item_name]["example"]], "next_cursor": None})
    assert isinstance(page.data[0], item_model), f"{page_name}.data holds {type(page.data[0])}, not {item_name}"

sent = []


def fake_server(request: httpx.Request) -> httpx.Response:
    sent.append(request)
    if request.url.path.endswith("/win"):
        return httpx.Response(200, json=schemas["Opportunity"]["example"], headers={"ETag": 'W/"2"'})
    problem = {"type": "/problems/unauthenticated", "title": "Authentication required", "status": 401,
               "code": "unauthenticated", "detail": "the access token has expired", "request_id": "abc-123"}
    return httpx.Response(401, json=problem, headers={"Content-Type": "application/problem+json"})


client = salesops_client.AuthenticatedClient(
    base_url="http://salesops.invalid", token="t", httpx_args={"transport": httpx.MockTransport(fake_server)}
)

won = win_opportunity.sync_detailed(uuid.uuid4(), client=client)
assert isinstance(won.parsed, models.Opportunity), won
assert sent[-1].content == b"", f"an omitted optional body sent {sent[-1].content!r}"

refused = list_leads.sync_detailed(client=client, status=[models.LeadStatus.QUALIFIED])
assert isinstance(refused.parsed, models.Problem) and refused.parsed.code == "unauthenticated", refused
assert sent[-1].url.params.get_list("status") == ["qualified"], sent[-1].url

print(f"OK: the generated Python client imports, parses {len(pages)} list pages into their resources' models, "
      "leaves an optional body out, and parses problems.")
