using System.ComponentModel.DataAnnotations;
using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Options;
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
    [SettingRange(typeof(TimeSpan), "00:00:00", OptionLimits.MaxTimeSpan, MinimumIsExclusive = true, ErrorMessage = "FullSyncEvery must be a positive time span, for example '7.00:00:00'.")]
    public TimeSpan FullSyncEvery { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How often a run compares the live assignments with Defender's findings to close them on the fix (one paged
    /// read per subscription plus a listing of the live assignments, so it grows with the estate, not with what
    /// changed). A full pass always does it; 20 hours by default, so each daily timer run does it while manual runs
    /// in between cost only what changed. Zero: every run.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", OptionLimits.MaxTimeSpan, ErrorMessage = "FindingsCheckEvery must be zero (every run) or a positive time span, for example '20:00:00'.")]
    public TimeSpan FindingsCheckEvery { get; set; } = TimeSpan.FromHours(20);

    /// <summary>
    /// The largest share (percent) of an integration's live assignments one pass may close because something is missing:
    /// tickets a full pass could not find (each confirmed 404 by a read of its own), or findings Defender no longer
    /// reports. A pass that would close more closes none of them and marks the integration as needing a person: a
    /// credential swap, a new ACL or a Defender outage looks like a mass deletion, and closing deletes governance
    /// assignments. 20 by default; 100 turns the guard off.
    /// </summary>
    [SettingRange(0, 100, ErrorMessage = "MassClosureLimitPercent must be between 0 and 100.")]
    public int MassClosureLimitPercent { get; set; } = 20;

    /// <summary>
    /// How many such closures a pass may always make, whatever share of the live assignments they are: on an integration
    /// with four tickets, one deleted resource is 25 %, and a guard that called a person for every such day would be
    /// turned off. Past this count the share decides. 5 by default; 0 lets the share decide every closure.
    /// </summary>
    [SettingRange(0, 1000, ErrorMessage = "MassClosureMinimum must be between 0 and 1000.")]
    public int MassClosureMinimum { get; set; } = 5;

    /// <summary>How long a run holds an integration; a run that crashed releases it when this has passed.</summary>
    [SettingRange(typeof(TimeSpan), "00:01:00", OptionLimits.MaxTimeSpan, ErrorMessage = "SyncHoldDuration must be at least one minute, for example '01:00:00'.")]
    public TimeSpan SyncHoldDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The queue trigger's delivery limit (host.json <c>extensions.queues.maxDequeueCount</c>): the attempt that
    /// reaches it reports its integration failed before the message goes to the poison queue.
    /// </summary>
    [SettingRange(1, 100, ErrorMessage = "SyncMaxDequeueCount must be between 1 and 100.")]
    public int SyncMaxDequeueCount { get; set; } = 5;

    /// <summary>
    /// How many pages of changed tickets one incremental pass follows per ticket table (issue 26, item 6): a flood of
    /// changes, planted or not, cannot hold a run and its lease for ever. The cursor is saved after every page, so the
    /// next run resumes where this one stopped and no change is missed.
    /// </summary>
    [SettingRange(1, 10000, ErrorMessage = "SyncMaxChangePages must be between 1 and 10000.")]
    public int SyncMaxChangePages { get; set; } = 50;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CrontabSchedule.TryParse(SyncSchedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            yield return new ValidationResult(
                $"SyncSchedule '{SyncSchedule}' is not an NCRONTAB expression with six fields (second minute hour day month day-of-week), for example '{DefaultSchedule}'.",
                [nameof(SyncSchedule)]);
        }
    }
}

/// <summary>Checks the annotations of <see cref="SyncOptions"/> and its schedule at start-up (generated code, no reflection).</summary>
[OptionsValidator]
internal sealed partial class SyncOptionsValidation : IValidateOptions<SyncOptions>;
