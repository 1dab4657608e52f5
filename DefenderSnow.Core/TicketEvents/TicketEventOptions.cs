using System.ComponentModel.DataAnnotations;

namespace DefenderSnow.Core.TicketEvents;

/// <summary>Settings under <c>TicketEvents</c>: near-real-time ticket events from ServiceNow.</summary>
public sealed class TicketEventOptions : IValidatableObject
{
    public const string SectionName = "TicketEvents";

    /// <summary>
    /// How long the webhook secret before a rotation stays accepted, so ServiceNow can be given the new one without
    /// losing events meanwhile. Zero refuses the old secret at once.
    /// </summary>
    public TimeSpan SecretGracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long the first event of a burst waits in the queue before its ticket is read: the events that follow within
    /// this time (a resolve is several updates) cost no read of their own.
    /// </summary>
    public TimeSpan CollapseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SecretGracePeriod < TimeSpan.Zero || SecretGracePeriod > TimeSpan.FromDays(30))
        {
            yield return new ValidationResult("TicketEvents:SecretGracePeriod must be between 00:00:00 and 30.00:00:00, for example '1.00:00:00'.", [nameof(SecretGracePeriod)]);
        }

        // A Storage queue message can be hidden for at most 7 days; more than a minute defeats "near real time".
        if (CollapseDelay < TimeSpan.Zero || CollapseDelay > TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult("TicketEvents:CollapseDelay must be between 00:00:00 and 00:01:00, for example '00:00:05'.", [nameof(CollapseDelay)]);
        }
    }
}
