import AWSWire
import CloudModel
import Foundation

/// CloudFormation's XML shapes (botocore's `Stack`, `StackEvent`, `StackResource*`, `Change`).
enum CloudFormationXML {
    static func time(_ d: Date) -> String { CivilTime.isoMilliseconds(d) }

    static func stack(_ w: inout XMLWriter, _ s: CloudFormationStack, noEcho: Set<String>) {
        w.element("StackId", s.stackId)
        w.element("StackName", s.name)
        w.element("ChangeSetId", s.changeSetId)
        w.element("Description", s.current.description)
        w.list("Parameters", s.current.parameters, member: "member") { w, p in
            w.element("ParameterKey", p.key)
            w.element("ParameterValue", noEcho.contains(p.key) ? "****" : p.value)
            w.element("ResolvedValue", p.resolvedValue)
        }
        w.element("CreationTime", time(s.creationTime))
        w.element("DeletionTime", s.deletionTime.map(time))
        w.element("LastUpdatedTime", s.lastUpdatedTime.map(time))
        w.element("RollbackConfiguration") { _ in }
        w.element("StackStatus", s.status.rawValue)
        w.element("StackStatusReason", s.statusReason)
        w.element("DisableRollback", s.disableRollback)
        w.list("NotificationARNs", s.notificationARNs, member: "member") { w, a in w.appendEscaped(a) }
        w.element("TimeoutInMinutes", s.timeoutInMinutes)
        w.list("Capabilities", s.capabilities, member: "member") { w, c in w.appendEscaped(c) }
        w.list("Outputs", s.outputs, member: "member") { w, o in
            w.element("OutputKey", o.key)
            w.element("OutputValue", o.value)
            w.element("Description", o.description)
            w.element("ExportName", o.exportName)
        }
        w.element("RoleARN", s.roleARN)
        w.list("Tags", s.tags, member: "member") { w, t in w.element("Key", t.key); w.element("Value", t.value) }
        w.element("EnableTerminationProtection", s.terminationProtection)
        w.element("DriftInformation") { w in w.element("StackDriftStatus", "NOT_CHECKED") }
    }

    static func event(_ w: inout XMLWriter, _ e: CloudFormationStackEvent) {
        w.element("StackId", e.stackId)
        w.element("EventId", e.eventId)
        w.element("StackName", e.stackName)
        w.element("LogicalResourceId", e.logicalResourceId)
        w.element("PhysicalResourceId", e.physicalResourceId ?? "")
        w.element("ResourceType", e.resourceType)
        w.element("Timestamp", time(e.timestamp))
        w.element("ResourceStatus", e.resourceStatus)
        w.element("ResourceStatusReason", e.resourceStatusReason)
        w.element("ResourceProperties", e.resourceProperties)
    }

    static func resource(_ w: inout XMLWriter, _ r: StackResourceState, stack: CloudFormationStack?, timeMember: String) {
        if let stack {
            w.element("StackName", stack.name)
            w.element("StackId", stack.stackId)
        }
        w.element("LogicalResourceId", r.logicalId)
        w.element("PhysicalResourceId", r.physicalId)
        w.element("ResourceType", r.type)
        w.element(timeMember, time(r.lastUpdated))
        w.element("ResourceStatus", r.status)
        w.element("ResourceStatusReason", r.statusReason)
        w.element("DriftInformation") { w in w.element("StackResourceDriftStatus", "NOT_CHECKED") }
    }

    static func change(_ w: inout XMLWriter, _ c: ChangeSetResourceChange) {
        w.element("Type", "Resource")
        w.element("ResourceChange") { w in
            w.element("Action", c.action)
            w.element("LogicalResourceId", c.logicalResourceId)
            w.element("PhysicalResourceId", c.physicalResourceId)
            w.element("ResourceType", c.resourceType)
            w.element("Replacement", c.replacement)
            if c.action == "Modify" {
                w.list("Scope", ["Properties"], member: "member") { w, s in w.appendEscaped(s) }
                w.list("Details", c.changedProperties, member: "member") { w, name in
                    w.element("Target") { w in
                        w.element("Attribute", "Properties")
                        w.element("Name", name)
                        w.element("RequiresRecreation", c.replacement == "True" ? "Always" : "Never")
                    }
                    w.element("Evaluation", "Static")
                    w.element("ChangeSource", "DirectModification")
                }
            } else {
                w.list("Scope", [String](), member: "member") { _, _ in }
                w.list("Details", [String](), member: "member") { _, _ in }
            }
        }
    }
}
