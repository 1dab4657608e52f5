namespace DefenderSnow.Core.Findings;

public enum FindingStatus { Healthy, Unhealthy, NotApplicable }

public sealed record Finding(
    string SubscriptionId, string ResourceId, string ResourceType, string AssessmentName,
    string? DisplayName, FindingStatus Status, string? Severity);

public interface IFindingReader
{
    IAsyncEnumerable<Finding> ReadSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken);
}
