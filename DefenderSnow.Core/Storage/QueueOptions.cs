using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Storage;

/// <summary>
/// The queue names, top-level settings: the queue-triggered functions bind to the same settings
/// (<c>%SyncIntegrationsQueue%</c>), so sender and trigger cannot disagree.
/// </summary>
/// <remarks>
/// Flat names, with neither <c>:</c> nor <c>__</c>, because Azure's scale controller, which wakes and scales a
/// Flex Consumption app from its queues, reads the trigger's setting names itself and has failed on nested ones
/// (a <c>Section:Name</c> binding set as <c>Section__Name</c>): azure-functions-host#8261 and #8665,
/// azure-functions-dotnet-worker#849 (https://github.com/Azure/azure-functions-dotnet-worker/issues/849).
/// <c>TriggerSettingNamesTests</c> holds every <c>%name%</c> of a trigger to that.
/// </remarks>
public sealed class QueueOptions : IValidatableObject
{
    /// <summary>The section these settings had before they were flat; start-up refuses it, naming the new names.</summary>
    public const string RetiredSectionName = "Queues";

    // Storage queue names: 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.
    private const string QueueNamePattern = "^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$";

    [RegularExpression(QueueNamePattern, ErrorMessage = "SyncIntegrationsQueue must be a queue name: 3-63 lower-case letters, digits and single hyphens.")]
    public string SyncIntegrationsQueue { get; set; } = "sync-integrations";

    [RegularExpression(QueueNamePattern, ErrorMessage = "IntegrationDeletionsQueue must be a queue name: 3-63 lower-case letters, digits and single hyphens.")]
    public string IntegrationDeletionsQueue { get; set; } = "integration-deletions";

    [RegularExpression(QueueNamePattern, ErrorMessage = "TicketEventsQueue must be a queue name: 3-63 lower-case letters, digits and single hyphens.")]
    public string TicketEventsQueue { get; set; } = "ticket-events";

    /// <summary>Whether the retired <c>Queues</c> section is set, filled in at registration so that start-up can refuse it.</summary>
    internal bool RetiredSectionSet { get; set; }

    public string NameOf(WorkQueue queue) => queue switch
    {
        WorkQueue.SyncIntegrations => SyncIntegrationsQueue,
        WorkQueue.IntegrationDeletions => IntegrationDeletionsQueue,
        WorkQueue.TicketEvents => TicketEventsQueue,
        _ => throw new ArgumentOutOfRangeException(nameof(queue), queue, null),
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetiredSectionSet)
        {
            yield return new ValidationResult(
                "The settings Queues__SyncIntegrations, Queues__IntegrationDeletions and Queues__TicketEvents are no longer read: name them SyncIntegrationsQueue, IntegrationDeletionsQueue and TicketEventsQueue.",
                [RetiredSectionName]);
        }
    }
}

/// <summary>Checks the queue names and the retired section at start-up (generated code, no reflection).</summary>
[OptionsValidator]
internal sealed partial class QueueOptionsValidation : IValidateOptions<QueueOptions>;
