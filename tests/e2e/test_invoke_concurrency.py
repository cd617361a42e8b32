"""Reserved concurrency, the account limit and throttling (TooManyRequestsException with its Reason)."""
import json
import threading

import pytest
from botocore.exceptions import ClientError

from invoke_support import deploy, invoke


@pytest.fixture(scope="module")
def lam(server):
    return server.client("lambda")


def test_put_get_delete_function_concurrency(lam):
    name = deploy(lam)
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
    assert "Concurrency" not in lam.get_function(FunctionName=name)
    before = lam.get_account_settings()["AccountLimit"]
    assert before["ConcurrentExecutions"] == 1000
    r = lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=7)
    assert r["ReservedConcurrentExecutions"] == 7
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 7
    assert lam.get_function(FunctionName=name)["Concurrency"] == {"ReservedConcurrentExecutions": 7}
    after = lam.get_account_settings()["AccountLimit"]
    assert after["UnreservedConcurrentExecutions"] == before["UnreservedConcurrentExecutions"] - 7
    lam.delete_function_concurrency(FunctionName=name)
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == before["UnreservedConcurrentExecutions"]


def test_reservation_may_not_leave_less_than_100_unreserved(lam):
    name = deploy(lam)
    with pytest.raises(ClientError) as e:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=901)
    err = e.value.response["Error"]
    assert err["Code"] == "InvalidParameterValueException"
    assert err["Message"] == ("Specified ReservedConcurrentExecutions for function decreases account's "
                              "UnreservedConcurrentExecution below its minimum value of [100].")
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)


def test_concurrency_of_unknown_function_is_not_found(lam):
    with pytest.raises(ClientError) as e:
        lam.put_function_concurrency(FunctionName="nope-nope", ReservedConcurrentExecutions=1)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_reserved_zero_throttles_every_invoke(lam):
    name = deploy(lam)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=name, Payload=b"{}")
    resp = e.value.response
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert resp["Error"]["Code"] == "TooManyRequestsException"
    assert resp["Error"]["Message"] == "Rate Exceeded."
    assert resp["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lam.delete_function_concurrency(FunctionName=name)
    r, _ = invoke(lam, name, {})
    assert r["StatusCode"] == 200


def test_reserved_one_throttles_the_second_concurrent_invoke(server, lam):
    name = deploy(lam)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    # A warm environment first: the slow call then holds the slot within milliseconds, not after a cold start that a
    # busy machine (another test worker) can stretch past the wait below.
    assert invoke(lam, name, {})[0]["StatusCode"] == 200
    # The second client is made here: making a boto3 client inside the thread took longer than the wait below on a
    # machine busy with another test worker.
    other = server.client("lambda")
    results = {}

    def slow():
        results["slow"] = invoke(other, name, {"sleep": 3})[0]["StatusCode"]

    t = threading.Thread(target=slow)
    t.start()
    # The slow invocation holds the only slot once its environment runs it (milliseconds after its request).
    import time
    time.sleep(1.0)
    with pytest.raises(ClientError) as e:
        lam.invoke(FunctionName=name, Payload=b"{}")
    t.join()
    assert e.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert results["slow"] == 200


def test_account_limit_throttles_with_its_reason():
    from conftest import Server
    s = Server(extra_args=["--concurrency-limit", "3"]).start()
    try:
        lam = s.client("lambda")
        limits = lam.get_account_settings()["AccountLimit"]
        assert limits["ConcurrentExecutions"] == 3 and limits["UnreservedConcurrentExecutions"] == 3
        name = deploy(lam)
        answers = []
        # Clients made before the threads start (making one is the slow part on a busy machine).
        clients = [s.client("lambda") for _ in range(3)]
        threads = [threading.Thread(target=lambda c=c: answers.append(invoke(c, name, {"sleep": 3})[0]["StatusCode"]))
                   for c in clients]
        for t in threads:
            t.start()
        import time
        time.sleep(1.2)
        with pytest.raises(ClientError) as e:
            invoke(lam, name, {})
        for t in threads:
            t.join()
        assert e.value.response["Error"]["Code"] == "TooManyRequestsException"
        assert e.value.response["Reason"] == "ConcurrentInvocationLimitExceeded"
        assert answers == [200, 200, 200]
    finally:
        s.cleanup()
