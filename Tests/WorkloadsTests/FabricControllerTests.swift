import CloudModel
import ControlPlane
import Foundation
import Logging
import Testing
@testable import Workloads

/// The fabric controller when it must stay out of the kernel.
@Suite struct FabricControllerTests {
    @Test func turnedOffItBuildsNothingAndInstancesRunInProcess() async throws {
        let store = try StateStore(durable: NullRecordStore(), clock: ManualTimeSource())
        let stores = RegionalStores(global: store) { _ in try StateStore(durable: NullRecordStore(), clock: ManualTimeSource()) }
        let controller = FabricController(stores: stores, dataDir: NSTemporaryDirectory(), enabled: false,
                                          logger: Logger(label: "test"))
        #expect(!controller.isActive)
        #expect(controller.fabric == nil)
        #expect(controller.instanceRuntime is InProcessInstanceRuntime)
        #expect(controller.disabledReason == "network fabric off (--no-network): VPC resources exist only in the control plane")
        controller.start()
        await controller.stop()
    }
}
