import AWSWire
import CloudModel

/// Invoke's errors when a function's network cannot be set up.
enum LambdaNetworkErrors {
    /// A VPC function whose Hyperplane ENIs are gone (never once Active, unless removed behind Lambda's back):
    /// 502 EC2UnexpectedException, as AWS answers when its EC2 side fails while setting up the function.
    static func hyperplaneInterfaceMissing(_ keys: [HyperplaneKey]) -> AWSError {
        let wanted = keys.map { "subnet \($0.subnetId) with security groups \($0.securityGroupIds.joined(separator: ","))" }
        return AWSError(code: "EC2UnexpectedException",
                        message: "Lambda could not find the network interface of the function's VPC configuration "
                            + "(\(wanted.joined(separator: "; "))). Wait for the function to become Active again and retry.",
                        httpStatus: 502, lambdaType: "Service", lambdaMessageKey: "Message", extraFields: ["EC2ErrorCode": "InvalidNetworkInterfaceID.NotFound"])
    }
}
