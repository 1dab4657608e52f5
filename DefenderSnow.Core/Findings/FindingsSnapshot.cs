using System.Runtime.CompilerServices;

namespace DefenderSnow.Core.Findings;

/// <summary>
/// One sync run's reads of Defender's findings: the first complete read of a subscription is kept and served again, so
/// closing on the fix and rule evaluation in the same run read each subscription once. A read that failed is not kept:
/// its caller saw the failure, and a later caller reads again. One run's, used by one caller at a time.
/// </summary>
public sealed class FindingsSnapshot : IFindingReader
{
    private readonly IFindingReader _reader;
    private readonly Dictionary<string, IReadOnlyList<Finding>> _read = new(StringComparer.OrdinalIgnoreCase);

    public FindingsSnapshot(IFindingReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
    }

    /// <inheritdoc />
    /// <remarks>A failure is thrown before anything is yielded: only a complete read is kept or served.</remarks>
    public async IAsyncEnumerable<Finding> ReadSubscriptionAsync(string subscriptionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_read.TryGetValue(subscriptionId, out var findings))
        {
            var read = new List<Finding>();
            await foreach (var finding in _reader.ReadSubscriptionAsync(subscriptionId, cancellationToken).ConfigureAwait(false))
            {
                read.Add(finding);
            }

            _read[subscriptionId] = findings = read;
        }

        foreach (var finding in findings)
        {
            yield return finding;
        }
    }
}
