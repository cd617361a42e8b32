import AWSWire
import ControlPlane

extension APIRouter {
    /// CloudFormation (Query protocol, 2010-05-15) in the signed region: the service authorizes from its table.
    func cloudFormation(_ a: Admitted) async throws -> WireResponse {
        let p = a.params ?? QueryParameters([:])
        guard let action = p["Action"], !action.isEmpty else { throw QueryErrors.missingAction() }
        let xml = try await regions.services(a.context.region).cloudformation.handle(action: action, params: p, context: a.context)
        return .xml(200, xml, requestID: a.context.requestID)
    }
}
