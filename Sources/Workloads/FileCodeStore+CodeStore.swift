import ControlPlane
import Persistence

/// The file store is the server's CodeStore (Persistence does not know the ControlPlane port).
extension FileCodeStore: CodeStore {}
