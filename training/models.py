"""Models of the training app: filled by its own issue. Tenant-owned models inherit
jointdefense.core.models.TenantOwned so that scoping fails closed."""
