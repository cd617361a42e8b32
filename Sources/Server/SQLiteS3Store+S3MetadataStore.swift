import ControlPlane
import Persistence

extension SQLiteS3Store: S3MetadataStore {}
