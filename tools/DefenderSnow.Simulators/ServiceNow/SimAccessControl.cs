namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>Table read access per user: everyone may read everything until a test takes a table away from someone.</summary>
internal sealed class SimAccessControl
{
    private readonly Lock _lock = new();
    private readonly HashSet<(string UserSysId, string Table)> _deniedReads = [];

    public void DenyRead(string userSysId, string table)
    {
        lock (_lock)
        {
            _deniedReads.Add((userSysId, table));
        }
    }

    public void AllowRead(string userSysId, string table)
    {
        lock (_lock)
        {
            _deniedReads.Remove((userSysId, table));
        }
    }

    public bool CanRead(string userSysId, string table)
    {
        lock (_lock)
        {
            return !_deniedReads.Contains((userSysId, table));
        }
    }
}
