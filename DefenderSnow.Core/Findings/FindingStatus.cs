namespace DefenderSnow.Core.Findings;

/// <summary>What Defender concluded about one recommendation on one resource (<c>properties.status.code</c>).</summary>
public enum FindingStatus
{
    Healthy,
    Unhealthy,
    NotApplicable,
}
