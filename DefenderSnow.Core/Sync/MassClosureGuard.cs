using DefenderSnow.Core.Integrations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// Whether a pass may close what it found missing. Absence is weak proof: a credential swap, a new ACL, domain separation
/// or a Defender answer that is empty but successful all look like deletions, and closing deletes Defender's governance
/// assignments while the work is still open. Past <see cref="SyncOptions.MassClosureLimitPercent"/> of the integration's
/// live assignments, the pass closes none of them and raises the integration for a person.
/// </summary>
public sealed partial class MassClosureGuard
{
    private readonly IOptions<SyncOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<MassClosureGuard> _logger;

    public MassClosureGuard(IOptions<SyncOptions> options, TimeProvider timeProvider, ILogger<MassClosureGuard> logger)
    {
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Whether closing <paramref name="missing"/> of <paramref name="live"/> stays within the limit (or the small count always allowed).</summary>
    internal bool Allows(int missing, int live) =>
        missing <= _options.Value.MassClosureMinimum || (long)missing * 100 <= (long)live * _options.Value.MassClosureLimitPercent;

    /// <summary>Counts <paramref name="withheld"/> closures as withheld and raises <paramref name="cause"/> for a person, with <paramref name="reason"/> in the run's errors too.</summary>
    internal void Withhold(SyncTally tally, AttentionCause cause, int withheld, string reason)
    {
        tally.ClosuresWithheld += withheld;
        tally.Raise(new IntegrationAttention(cause, reason, _timeProvider.GetUtcNow(), tally.RunId));
        tally.Error(null, reason);
        LogWithheld(_logger, tally.IntegrationId, cause, withheld, reason);
    }

    /// <summary>The reason for a share over the limit, in one sentence.</summary>
    internal string OverLimit(string what, int missing, int live) =>
        $"{missing} of {live} live assignments would have been closed because {what}, more than MassClosureLimitPercent ({_options.Value.MassClosureLimitPercent} %) allows past MassClosureMinimum ({_options.Value.MassClosureMinimum}); none was closed. A person must check the integration user's access (ACLs, credentials) and delete the assignments through the API if the loss is real.";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync of integration {IntegrationId} withheld {Withheld} closures ({Cause}) for a person: {Reason}")]
    private static partial void LogWithheld(ILogger logger, string integrationId, AttentionCause cause, int withheld, string reason);
}
