using System.ComponentModel.DataAnnotations;
using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.TicketEvents;

/// <summary>Settings under <c>TicketEvents</c>: near-real-time ticket events from ServiceNow.</summary>
public sealed class TicketEventOptions
{
    public const string SectionName = "TicketEvents";

    /// <summary>
    /// How long the webhook secret before a rotation stays accepted, so ServiceNow can be given the new one without
    /// losing events meanwhile. Zero refuses the old secret at once.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "30.00:00:00", ErrorMessage = "TicketEvents:SecretGracePeriod must be between 00:00:00 and 30.00:00:00, for example '1.00:00:00'.")]
    public TimeSpan SecretGracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long the first event of a burst waits in the queue before its ticket is read: the events that follow within
    /// this time (a resolve is several updates) cost no read of their own.
    /// </summary>
    // A Storage queue message can be hidden for at most 7 days; more than a minute defeats "near real time".
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "TicketEvents:CollapseDelay must be between 00:00:00 and 00:01:00, for example '00:00:05'.")]
    public TimeSpan CollapseDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Checks the annotations of <see cref="TicketEventOptions"/> at start-up (generated code, no reflection).</summary>
[OptionsValidator]
internal sealed partial class TicketEventOptionsValidation : IValidateOptions<TicketEventOptions>;
