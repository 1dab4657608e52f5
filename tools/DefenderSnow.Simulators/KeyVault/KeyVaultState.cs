namespace DefenderSnow.Simulators.KeyVault;

/// <summary>
/// The vault's contents, the request log and the injected fault. Names compare case-insensitively,
/// as Key Vault's do. One lock keeps every operation atomic; the simulator serves tests, not load.
/// </summary>
internal sealed class KeyVaultState
{
    private readonly object _gate = new();
    private readonly Dictionary<string, StoredSecret> _live = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, DeletedSecret> _deleted = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<KeyVaultRequest> _requests = [];
    private readonly TimeProvider _timeProvider;
    private readonly long _recoverableSeconds;

    public KeyVaultState(TimeProvider timeProvider, int recoverableDays)
    {
        _timeProvider = timeProvider;
        _recoverableSeconds = (long)TimeSpan.FromDays(recoverableDays).TotalSeconds;
    }

    public long Now => _timeProvider.GetUtcNow().ToUnixTimeSeconds();

    public enum SetOutcome
    {
        Stored,
        NameIsDeleted,
    }

    public SetOutcome Set(string name, Func<string, long, SecretVersion> createVersion, out StoredSecret? stored)
    {
        lock (_gate)
        {
            PurgeExpired();
            if (_deleted.ContainsKey(name))
            {
                stored = null;
                return SetOutcome.NameIsDeleted;
            }

            var version = createVersion(Guid.NewGuid().ToString("N"), Now);
            stored = _live.TryGetValue(name, out var existing)
                ? existing with { Versions = [.. existing.Versions, version] }
                : new StoredSecret(name, [version]);
            _live[name] = stored;
            return SetOutcome.Stored;
        }
    }

    /// <summary>Changes one version of a live secret; <c>null</c> when the secret or the version does not exist.</summary>
    public (StoredSecret Secret, SecretVersion Version)? Update(string name, string version, Func<SecretVersion, long, SecretVersion> change)
    {
        lock (_gate)
        {
            PurgeExpired();
            if (!_live.TryGetValue(name, out var existing))
            {
                return null;
            }

            var index = existing.Versions.ToList().FindIndex(v => string.Equals(v.Version, version, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                return null;
            }

            var changed = change(existing.Versions[index], Now);
            var versions = existing.Versions.ToArray();
            versions[index] = changed;
            var stored = existing with { Versions = versions };
            _live[name] = stored;
            return (stored, changed);
        }
    }

    public StoredSecret? Get(string name)
    {
        lock (_gate)
        {
            return _live.GetValueOrDefault(name);
        }
    }

    public IReadOnlyList<StoredSecret> List()
    {
        lock (_gate)
        {
            return [.. _live.Values.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase)];
        }
    }

    public DeletedSecret? Delete(string name)
    {
        lock (_gate)
        {
            if (!_live.Remove(name, out var secret))
            {
                return null;
            }

            var now = Now;
            var deleted = new DeletedSecret(secret, now, now + _recoverableSeconds);
            _deleted[name] = deleted;
            return deleted;
        }
    }

    public DeletedSecret? GetDeleted(string name)
    {
        lock (_gate)
        {
            PurgeExpired();
            return _deleted.GetValueOrDefault(name);
        }
    }

    public IReadOnlyList<DeletedSecret> ListDeleted()
    {
        lock (_gate)
        {
            PurgeExpired();
            return [.. _deleted.Values.OrderBy(d => d.Secret.Name, StringComparer.OrdinalIgnoreCase)];
        }
    }

    public StoredSecret? Recover(string name)
    {
        lock (_gate)
        {
            PurgeExpired();
            if (!_deleted.Remove(name, out var deleted))
            {
                return null;
            }

            _live[name] = deleted.Secret;
            return deleted.Secret;
        }
    }

    public bool Purge(string name)
    {
        lock (_gate)
        {
            return _deleted.Remove(name);
        }
    }

    public void Record(KeyVaultRequest request)
    {
        lock (_gate)
        {
            _requests.Add(request);
        }
    }

    public IReadOnlyList<KeyVaultRequest> Requests()
    {
        lock (_gate)
        {
            return [.. _requests];
        }
    }

    public void ClearRequests()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _live.Clear();
            _deleted.Clear();
            _requests.Clear();
        }
    }

    // Key Vault purges a deleted secret on its own once the retention period is over.
    private void PurgeExpired()
    {
        var now = Now;
        foreach (var name in _deleted.Where(d => d.Value.ScheduledPurgeDate <= now).Select(d => d.Key).ToList())
        {
            _deleted.Remove(name);
        }
    }
}
