"""kubectl's typed "create" commands send protobuf bodies."""
import re

import pytest

from test_api_kubectl import ok


@pytest.fixture
def agent(agent_factory):
    a = agent_factory().start()
    yield a
    rc, _ = a.stop()
    assert rc == 0, a.log()


def test_create_namespace_and_describe(agent):
    assert "namespace/team created" in ok(agent.kubectl("create", "namespace", "team"))
    ok(agent.kubectl("run", "one", "-n", "team", "--image=busybox"))
    out = ok(agent.kubectl("describe", "pod", "one", "-n", "team"))
    assert re.search(r"^Name:\s+one", out, re.M) and re.search(r"^Namespace:\s+team", out, re.M)
    assert "busybox" in out


