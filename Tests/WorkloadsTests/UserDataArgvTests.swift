import Foundation
import Testing
@testable import Workloads

/// User data runs as cloud-init runs it: under its `#!` interpreter (with the one optional argument Linux passes),
/// else under /bin/sh, always with the script's path as the last argument.
@Test(arguments: [
    ("#!/usr/bin/python3\nprint(1)\n", ["/usr/bin/python3", "/i/user-data"]),
    ("#! /bin/bash -eu\necho hi\n", ["/bin/bash", "-eu", "/i/user-data"]),
    ("#!/usr/bin/env python3 \n", ["/usr/bin/env", "python3", "/i/user-data"]),
    ("#!/bin/sh", ["/bin/sh", "/i/user-data"]),
    ("#!\necho hi\n", ["/bin/sh", "/i/user-data"]),
    ("echo hi\n", ["/bin/sh", "/i/user-data"]),
])
func userDataRunsUnderItsInterpreter(text: String, argv: [String]) {
    #expect(NamespaceInstanceRuntime.argv(userData: Data(text.utf8), script: "/i/user-data") == argv)
}
