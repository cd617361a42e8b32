// libFuzzer target: a Lambda CreateFunction/UpdateFunctionConfiguration body through the reader the handlers use
// (JSONBody over JSONSerialization) and the settings decoder with its model and parameter checks.
import Foundation
@testable import ControlPlane

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let body = try? JSONBody(bytes) else { return 0 }
    var problems: [String] = []
    if let settings = try? FunctionSettings.read(body, problems: &problems) {
        if problems.isEmpty { _ = try? settings.checkParameters() } else { _ = LambdaErrors.validation(problems) }
    }
    // The other members handlers read with the same accessors (Invoke config, aliases, concurrency, tags).
    _ = try? body.string("FunctionName")
    _ = try? body.string("ZipFile")
    _ = try? body.bool("Publish")
    _ = try? body.int("ReservedConcurrentExecutions")
    _ = try? body.stringMap("Tags")
    _ = try? body.object("RoutingConfig")?.doubleMap("AdditionalVersionWeights")
    _ = try? body.double("MaximumEventAgeInSeconds")
    return 0
}
