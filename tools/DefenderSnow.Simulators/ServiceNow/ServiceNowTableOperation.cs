namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>What a table ACL grants: ServiceNow checks read, create and write separately.</summary>
public enum ServiceNowTableOperation
{
    Read,
    Create,
    Write,
}
