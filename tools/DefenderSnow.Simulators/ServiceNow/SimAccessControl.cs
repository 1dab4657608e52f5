namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// Table ACLs per user: everyone may read, create and write everything until a test takes an operation on a
/// table away from someone. Row-level read ACLs hide single records; ServiceNow applies them after the page is
/// cut, so a page can hold fewer records than <c>sysparm_limit</c>, or none, while more follow (KB3047115).
/// </summary>
internal sealed class SimAccessControl
{
    private readonly Lock _lock = new();
    private readonly HashSet<(string UserSysId, string Table, ServiceNowTableOperation Operation)> _denied = [];
    private readonly Dictionary<(string UserSysId, string Table), (EncodedQuery Query, ServiceNowHiddenRecordAnswer SingleRead)> _hiddenRows = [];

    public void Deny(string userSysId, string table, ServiceNowTableOperation operation)
    {
        lock (_lock)
        {
            _denied.Add((userSysId, table, operation));
        }
    }

    public void Allow(string userSysId, string table, ServiceNowTableOperation operation)
    {
        lock (_lock)
        {
            _denied.Remove((userSysId, table, operation));
        }
    }

    public bool Can(string userSysId, string table, ServiceNowTableOperation operation)
    {
        lock (_lock)
        {
            return !_denied.Contains((userSysId, table, operation));
        }
    }

    /// <summary>Records of <paramref name="table"/> matching <paramref name="query"/> are invisible to the user; <c>null</c> shows them all again.</summary>
    public void HideRows(string userSysId, string table, string? query, ServiceNowHiddenRecordAnswer singleRead = ServiceNowHiddenRecordAnswer.Forbidden)
    {
        lock (_lock)
        {
            if (query is null)
            {
                _hiddenRows.Remove((userSysId, table));
            }
            else
            {
                _hiddenRows[(userSysId, table)] = (EncodedQuery.Parse(query), singleRead);
            }
        }
    }

    /// <summary>The records the user may see, or null when a row-level ACL hides nothing from them.</summary>
    public EncodedQuery? HiddenRows(string userSysId, string table)
    {
        lock (_lock)
        {
            return _hiddenRows.TryGetValue((userSysId, table), out var rule) ? rule.Query : null;
        }
    }

    /// <summary>How a read by sys_id of a record the user's row-level rule hides is answered.</summary>
    public ServiceNowHiddenRecordAnswer SingleReadAnswer(string userSysId, string table)
    {
        lock (_lock)
        {
            return _hiddenRows.TryGetValue((userSysId, table), out var rule) ? rule.SingleRead : ServiceNowHiddenRecordAnswer.Forbidden;
        }
    }
}
