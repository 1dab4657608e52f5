namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>What a table ACL grants: ServiceNow checks read, create, write and delete separately.</summary>
public enum ServiceNowTableOperation
{
    Read,
    Create,
    Write,
    Delete,
}
