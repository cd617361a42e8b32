"""The function settings Terraform and the SDKs read and write: runtime management, recursion, code signing and
provisioned concurrency configurations, through boto3 and the AWS CLI, with their errors, kept across a restart and
removed with the function."""
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, call_error as error_of
from invoke_support import ensure_role
from lambda_support import create_function, unique

FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
PROFILE = f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/prof/abcdef1234"
CSC_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:code-signing-config:csc-"


def test_runtime_management_config(lam):
    fn = unique("rt")
    create_function(lam, fn)
    got = lam.get_runtime_management_config(FunctionName=fn)
    assert got["UpdateRuntimeOn"] == "Auto" and "RuntimeVersionArn" not in got
    assert got["FunctionArn"] == FN_ARN + fn + ":$LATEST"
    runtime_arn = f"arn:aws:lambda:{REGION}::runtime:" + "a" * 64
    put = lam.put_runtime_management_config(FunctionName=fn, UpdateRuntimeOn="Manual", RuntimeVersionArn=runtime_arn)
    assert (put["UpdateRuntimeOn"], put["RuntimeVersionArn"]) == ("Manual", runtime_arn)
    got = lam.get_runtime_management_config(FunctionName=fn)
    assert (got["UpdateRuntimeOn"], got["RuntimeVersionArn"]) == ("Manual", runtime_arn)
    lam.put_runtime_management_config(FunctionName=fn, UpdateRuntimeOn="FunctionUpdate")
    assert lam.get_runtime_management_config(FunctionName=fn)["UpdateRuntimeOn"] == "FunctionUpdate"
    status, code, msg = error_of(lam.put_runtime_management_config, FunctionName=fn, UpdateRuntimeOn="Sometimes")
    assert (status, code) == (400, "ValidationException") and "Member must satisfy enum value set: [Auto, Manual, FunctionUpdate]" in msg
    assert error_of(lam.put_runtime_management_config, FunctionName=fn, UpdateRuntimeOn="Manual")[:2] == (
        400, "InvalidParameterValueException")
    assert error_of(lam.get_runtime_management_config, FunctionName=fn + "-nope") == (
        404, "ResourceNotFoundException", f"Function not found: {FN_ARN}{fn}-nope:$LATEST")
    assert lam.get_runtime_management_config(FunctionName=fn)["UpdateRuntimeOn"] == "FunctionUpdate"


def test_recursion_config(server, lam):
    fn = unique("rec")
    create_function(lam, fn)
    assert lam.get_function_recursion_config(FunctionName=fn)["RecursiveLoop"] == "Terminate"
    assert lam.put_function_recursion_config(FunctionName=fn, RecursiveLoop="Allow")["RecursiveLoop"] == "Allow"
    _, out, _ = server.aws("lambda", "get-function-recursion-config", "--function-name", fn)
    assert out["RecursiveLoop"] == "Allow"
    status, code, msg = error_of(lam.put_function_recursion_config, FunctionName=fn, RecursiveLoop="Never")
    assert (status, code) == (400, "ValidationException") and "[Allow, Terminate]" in msg
    assert error_of(lam.get_function_recursion_config, FunctionName="nope-" + fn)[:2] == (404, "ResourceNotFoundException")


def test_code_signing_configs(server, lam):
    created = lam.create_code_signing_config(Description="ours", AllowedPublishers={"SigningProfileVersionArns": [PROFILE]})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    csc = created["CodeSigningConfig"]
    arn = csc["CodeSigningConfigArn"]
    assert arn.startswith(CSC_PREFIX) and len(csc["CodeSigningConfigId"]) == 21 and arn.endswith(csc["CodeSigningConfigId"])
    assert csc["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}
    assert csc["AllowedPublishers"] == {"SigningProfileVersionArns": [PROFILE]} and csc["Description"] == "ours"
    assert lam.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"] == csc
    assert arn in [c["CodeSigningConfigArn"] for c in lam.list_code_signing_configs()["CodeSigningConfigs"]]
    upd = lam.update_code_signing_config(CodeSigningConfigArn=arn, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"})
    assert upd["CodeSigningConfig"]["CodeSigningPolicies"]["UntrustedArtifactOnDeployment"] == "Enforce"
    assert upd["CodeSigningConfig"]["Description"] == "ours"

    fn = unique("csc")
    create_function(lam, fn)
    assert lam.get_function_code_signing_config(FunctionName=fn)["CodeSigningConfigArn"] == ""
    put = lam.put_function_code_signing_config(FunctionName=fn, CodeSigningConfigArn=arn)
    assert (put["CodeSigningConfigArn"], put["FunctionName"]) == (arn, fn)
    assert lam.get_function_code_signing_config(FunctionName=fn)["CodeSigningConfigArn"] == arn
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"] == [FN_ARN + fn]
    assert error_of(lam.delete_code_signing_config, CodeSigningConfigArn=arn)[:2] == (409, "ResourceConflictException")
    lam.delete_function_code_signing_config(FunctionName=fn)
    assert lam.get_function_code_signing_config(FunctionName=fn)["CodeSigningConfigArn"] == ""

    missing = CSC_PREFIX + "0" * 17
    assert error_of(lam.put_function_code_signing_config, FunctionName=fn, CodeSigningConfigArn=missing)[:2] == (
        404, "CodeSigningConfigNotFoundException")
    assert error_of(lam.get_code_signing_config, CodeSigningConfigArn=missing)[:2] == (404, "ResourceNotFoundException")
    status, code, msg = error_of(lam.create_code_signing_config, AllowedPublishers={"SigningProfileVersionArns": [PROFILE]},
                                 CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Sometimes"})
    assert (status, code) == (400, "ValidationException") and "Member must satisfy enum value set: [Warn, Enforce]" in msg

    # The CLI sees the same configuration, and deletes it.
    _, out, _ = server.aws("lambda", "get-code-signing-config", "--code-signing-config-arn", arn)
    assert out["CodeSigningConfig"]["CodeSigningConfigArn"] == arn
    server.aws("lambda", "delete-code-signing-config", "--code-signing-config-arn", arn)
    rc, _, err = server.aws("lambda", "get-code-signing-config", "--code-signing-config-arn", arn, check=False)
    assert rc != 0 and "ResourceNotFoundException" in err


def test_provisioned_concurrency(server, lam):
    fn = unique("pc")
    create_function(lam, fn, Publish=True)
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    put = lam.put_provisioned_concurrency_config(FunctionName=fn, Qualifier="live", ProvisionedConcurrentExecutions=3)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["RequestedProvisionedConcurrentExecutions"] == 3 and put["Status"] in ("IN_PROGRESS", "READY")
    deadline = time.time() + 10
    while lam.get_provisioned_concurrency_config(FunctionName=fn, Qualifier="live")["Status"] != "READY":
        assert time.time() < deadline, "provisioned concurrency never became READY"
        time.sleep(0.1)
    got = lam.get_provisioned_concurrency_config(FunctionName=fn, Qualifier="live")
    assert got["AllocatedProvisionedConcurrentExecutions"] == 3 and got["AvailableProvisionedConcurrentExecutions"] == 3
    lam.put_provisioned_concurrency_config(FunctionName=fn, Qualifier="1", ProvisionedConcurrentExecutions=1)
    listed = lam.list_provisioned_concurrency_configs(FunctionName=fn)["ProvisionedConcurrencyConfigs"]
    assert sorted(c["FunctionArn"] for c in listed) == [FN_ARN + fn + ":1", FN_ARN + fn + ":live"]
    _, out, _ = server.aws("lambda", "list-provisioned-concurrency-configs", "--function-name", fn)
    assert len(out["ProvisionedConcurrencyConfigs"]) == 2

    assert error_of(lam.put_provisioned_concurrency_config, FunctionName=fn, Qualifier="$LATEST",
                    ProvisionedConcurrentExecutions=1) == (
        400, "InvalidParameterValueException", "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
    assert error_of(lam.put_provisioned_concurrency_config, FunctionName=fn, Qualifier="nope",
                    ProvisionedConcurrentExecutions=1) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}{fn}:nope")
    lam.delete_provisioned_concurrency_config(FunctionName=fn, Qualifier="1")
    assert error_of(lam.get_provisioned_concurrency_config, FunctionName=fn, Qualifier="1") == (
        404, "ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function")
    rc, _, err = server.aws("lambda", "get-provisioned-concurrency-config", "--function-name", fn, "--qualifier", "$LATEST",
                            check=False)
    assert rc != 0 and "InvalidParameterValueException" in err


def test_settings_survive_restart_and_go_with_the_function(fresh_server):
    lam = fresh_server.client("lambda")
    ensure_role(lam)
    fn = unique("keep")
    create_function(lam, fn, Publish=True)
    arn = lam.create_code_signing_config(AllowedPublishers={"SigningProfileVersionArns": [PROFILE]})["CodeSigningConfig"]["CodeSigningConfigArn"]
    lam.put_function_code_signing_config(FunctionName=fn, CodeSigningConfigArn=arn)
    lam.put_function_recursion_config(FunctionName=fn, RecursiveLoop="Allow")
    lam.put_runtime_management_config(FunctionName=fn, UpdateRuntimeOn="FunctionUpdate")
    lam.put_provisioned_concurrency_config(FunctionName=fn, Qualifier="1", ProvisionedConcurrentExecutions=2)

    fresh_server.restart()
    lam = fresh_server.client("lambda")
    assert lam.get_function_code_signing_config(FunctionName=fn)["CodeSigningConfigArn"] == arn
    assert lam.get_function_recursion_config(FunctionName=fn)["RecursiveLoop"] == "Allow"
    assert lam.get_runtime_management_config(FunctionName=fn)["UpdateRuntimeOn"] == "FunctionUpdate"
    assert lam.get_provisioned_concurrency_config(FunctionName=fn, Qualifier="1")["RequestedProvisionedConcurrentExecutions"] == 2
    assert lam.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]["CodeSigningConfigArn"] == arn

    lam.delete_function(FunctionName=fn)
    create_function(lam, fn, Publish=True)
    assert lam.get_function_code_signing_config(FunctionName=fn)["CodeSigningConfigArn"] == ""
    assert lam.get_function_recursion_config(FunctionName=fn)["RecursiveLoop"] == "Terminate"
    assert lam.get_runtime_management_config(FunctionName=fn)["UpdateRuntimeOn"] == "Auto"
    assert error_of(lam.get_provisioned_concurrency_config, FunctionName=fn, Qualifier="1")[1] == \
        "ProvisionedConcurrencyConfigNotFoundException"
    # The configuration itself is independent of the function and stays; it is no longer in use.
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"] == []
    lam.delete_code_signing_config(CodeSigningConfigArn=arn)
