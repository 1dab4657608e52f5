namespace DefenderSnow.Simulators.Defender;

public sealed partial class ResourceManagerState
{
    private volatile NextLinkShape _nextLinkShape;

    /// <summary>How collection pages write their <c>nextLink</c> (<see cref="Defender.NextLinkShape"/>); <see cref="Reset"/> restores <see cref="NextLinkShape.SkipToken"/>.</summary>
    public NextLinkShape NextLinkShape
    {
        get => _nextLinkShape;
        set => _nextLinkShape = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Not a nextLink shape.");
    }
}
