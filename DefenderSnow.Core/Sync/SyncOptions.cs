using System.ComponentModel.DataAnnotations;
using NCrontab;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// Top-level settings of synchronization. <see cref="SyncSchedule"/> is also what the timer trigger binds to
/// (<c>%SyncSchedule%</c>); it is validated here so a bad expression stops start-up with its name.
/// </summary>
public sealed class SyncOptions : IValidatableObject
{
    public const string DefaultSchedule = "0 0 2 * * *";

    /// <summary>NCRONTAB with seconds (six fields), UTC: daily at 02:00 by default.</summary>
    public string SyncSchedule { get; set; } = DefaultSchedule;

    /// <summary>How often the timer gives an integration a full pass (every live ticket read by sys_id), which also catches deleted tickets.</summary>
    public TimeSpan FullSyncEvery { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a run holds an integration; a run that crashed releases it when this has passed.</summary>
    public TimeSpan SyncHoldDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The queue trigger's delivery limit (host.json <c>extensions.queues.maxDequeueCount</c>): the attempt that
    /// reaches it reports its integration failed before the message goes to the poison queue.
    /// </summary>
    [Range(1, 100, ErrorMessage = "SyncMaxDequeueCount must be between 1 and 100.")]
    public int SyncMaxDequeueCount { get; set; } = 5;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CrontabSchedule.TryParse(SyncSchedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            yield return new ValidationResult(
                $"SyncSchedule '{SyncSchedule}' is not an NCRONTAB expression with six fields (second minute hour day month day-of-week), for example '{DefaultSchedule}'.",
                [nameof(SyncSchedule)]);
        }

        if (FullSyncEvery <= TimeSpan.Zero)
        {
            yield return new ValidationResult("FullSyncEvery must be a positive time span, for example '7.00:00:00'.", [nameof(FullSyncEvery)]);
        }

        if (SyncHoldDuration < TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult("SyncHoldDuration must be at least one minute, for example '01:00:00'.", [nameof(SyncHoldDuration)]);
        }
    }
}
