namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// Work that outlives its caller. A real instance keeps a Table API transaction running after the client timed
/// out or disconnected and commits the record afterwards (the transaction is only cancelled after about 60 s;
/// ServiceNow docs, "Transaction quotas": REST requests are not cancelled when the client goes away). Here a create
/// chosen by <see cref="Hosting.SimulatorFaults.CommitLateNext"/> is held without an answer until the caller gives
/// up, and is carried out right after the next read of the same table has been answered: the moment a client that
/// looked its ticket up finds nothing, and then the ticket appears.
/// </summary>
internal sealed class SimLateCommits
{
    private readonly Lock _lock = new();
    private readonly List<(string Table, Func<Task> Commit)> _parked = [];

    public void Park(string table, Func<Task> commit)
    {
        lock (_lock)
        {
            _parked.Add((table, commit));
        }
    }

    /// <summary>Called after a read of <paramref name="table"/> was answered: commits what was parked for it.</summary>
    public async Task AfterReadAsync(string table)
    {
        List<Func<Task>> due;
        lock (_lock)
        {
            due = _parked.Where(p => p.Table == table).Select(p => p.Commit).ToList();
            _parked.RemoveAll(p => p.Table == table);
        }

        foreach (var commit in due)
        {
            await commit();
        }
    }
}
