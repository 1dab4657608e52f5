namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>The CMDB of the simulated instance: configuration items as the Service Graph Connector for Microsoft Azure leaves them.</summary>
public sealed partial class ServiceNowSimulator
{
    /// <summary>
    /// Adds a <c>cmdb_ci</c> record whose <c>object_id</c> is <paramref name="objectId"/> (an Azure resource id, written
    /// as the connector wrote it, any case); returns its sys_id. The connector's own classes (for example
    /// <c>cmdb_ci_vm_instance</c>: https://servicenow-prod.fluidtopics.net/r/q4dSP2Icgr1SFv5wanVXvQ/vafTqzdVsPK~rV_u2j_CHg)
    /// extend cmdb_ci, and a read of cmdb_ci returns them; the simulator keeps them all in cmdb_ci.
    /// </summary>
    public string SeedConfigurationItem(string name, string objectId) =>
        _database.Insert("cmdb_ci", new Dictionary<string, string> { ["name"] = name, ["object_id"] = objectId, ["operational_status"] = "1" }, actingUserSysId: null)["sys_id"];
}
