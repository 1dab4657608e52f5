using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Storage;

/// <summary>
/// Makes Table Storage continuation tokens opaque and verifiable, for every listing of the API: a token
/// carries an HMAC over itself and the listing it belongs to (its filter), so a corrupted, truncated,
/// forged or borrowed token is refused with 400 instead of silently answering an empty last page.
/// </summary>
/// <remarks>
/// The key is made once per storage account and kept in its own table, so every instance of the app (and
/// every restart) verifies the tokens of every other. Whoever can read that table can forge tokens, but
/// could read the listed rows directly anyway: the key protects clients from mistakes and from borrowed
/// tokens, not the data from the storage account's own readers.
/// </remarks>
public sealed class ContinuationTokenCodec
{
    /// <summary>Far above any token this codec issues; a longer one is refused before any work.</summary>
    public const int MaxTokenLength = 4096;

    private const string Version = "v1";
    private const string KeyPartition = "continuation-token";
    private const string KeyRow = "hmac-sha256-v1";
    private const int MacLength = 32;

    private readonly TableClientProvider _tables;
    private readonly Lock _lock = new();
    private Task<byte[]>? _key;

    public ContinuationTokenCodec(TableClientProvider tables)
    {
        _tables = tables;
    }

    /// <summary>The token to hand to clients for <paramref name="storageToken"/>; null stays null (the last page).</summary>
    /// <param name="listing">What the token is only good for: the listing's name and filter, e.g. <c>integrations|scope</c>.</param>
    public async Task<string?> ProtectAsync(string? storageToken, string listing, CancellationToken cancellationToken)
    {
        if (storageToken is null)
        {
            return null;
        }

        var key = await GetKeyAsync(cancellationToken).ConfigureAwait(false);
        var inner = Encoding.UTF8.GetBytes(storageToken);
        var mac = Mac(key, listing, inner);
        return Version + "." + Base64Url.EncodeToString([.. mac, .. inner]);
    }

    /// <summary>The storage token inside a token this codec issued for the same listing; null stays null (the first page).</summary>
    /// <exception cref="ValidationException">On <c>continuationToken</c>, for any token this service did not issue for this listing.</exception>
    public async Task<string?> UnprotectAsync(string? token, string listing, CancellationToken cancellationToken)
    {
        if (token is null)
        {
            return null;
        }

        var encoded = token.AsSpan(Math.Min(token.Length, Version.Length + 1));
        if (token.Length > MaxTokenLength
            || !token.StartsWith(Version + ".", StringComparison.Ordinal)
            || !Base64Url.IsValid(encoded)
            || Base64Url.DecodeFromChars(encoded) is not { Length: > MacLength } bytes
            // Only the one spelling this codec writes: the decoder also takes padding and '%'.
            || !encoded.SequenceEqual(Base64Url.EncodeToString(bytes)))
        {
            throw NotIssued();
        }

        var key = await GetKeyAsync(cancellationToken).ConfigureAwait(false);
        var inner = bytes.AsSpan(MacLength);
        if (!CryptographicOperations.FixedTimeEquals(bytes.AsSpan(0, MacLength), Mac(key, listing, inner)))
        {
            throw NotIssued();
        }

        return Encoding.UTF8.GetString(inner);
    }

    private static byte[] Mac(byte[] key, string listing, ReadOnlySpan<byte> inner)
    {
        // Version and listing are bound in, separated by a byte no UTF-8 text contains.
        byte[] message = [.. Encoding.UTF8.GetBytes(Version + "\n" + listing), 0xFF, .. inner];
        return HMACSHA256.HashData(key, message);
    }

    private static ValidationException NotIssued() =>
        new("continuationToken", "Is not a continuation token this service issued for this listing; start again without it.");

    private Task<byte[]> GetKeyAsync(CancellationToken cancellationToken)
    {
        Task<byte[]> key;
        lock (_lock)
        {
            // A failed load (storage briefly down) must not poison the process: try again next time.
            if (_key is null || _key.IsFaulted || _key.IsCanceled)
            {
                _key = LoadOrCreateKeyAsync();
            }

            key = _key;
        }

        return key.WaitAsync(cancellationToken);
    }

    /// <summary>Not cancellable on purpose: several callers share this one load.</summary>
    private async Task<byte[]> LoadOrCreateKeyAsync()
    {
        var table = await _tables.GetAsync(Storage.Table.Keys, CancellationToken.None).ConfigureAwait(false);
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(KeyPartition, KeyRow, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        if (existing.HasValue)
        {
            return existing.Value!.GetBinary("Key");
        }

        try
        {
            var created = new TableEntity(KeyPartition, KeyRow) { ["Key"] = RandomNumberGenerator.GetBytes(32) };
            await table.AddEntityAsync(created, CancellationToken.None).ConfigureAwait(false);
            return created.GetBinary("Key");
        }
        catch (RequestFailedException e) when (e.Status == TableErrors.Conflict)
        {
            // Another instance made the key first: use theirs.
            var winner = await table.GetEntityAsync<TableEntity>(KeyPartition, KeyRow, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            return winner.Value.GetBinary("Key");
        }
    }
}
