"""Models of the patrols app: filled by its own issue. Tenant-owned models inherit
jointdefense.tenancy.models.TenantOwned so that scoping fails closed."""
