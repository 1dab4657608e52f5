using System.Security.Cryptography;
using System.Text;

namespace DefenderSnow.Core.Storage;

/// <summary>
/// Table keys may not contain '/', '\', '#', '?' or control characters, and resource ids are full of
/// them: keys are derived by hashing, never by escaping (an escape scheme is one more thing to get wrong).
/// </summary>
public static class StorageKeys
{
    /// <summary>A lower-case hex SHA-256 of the parts, joined by a separator no part may contain.</summary>
    public static string Hash(params string[] parts)
    {
        var joined = string.Join('\n', parts);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)));
    }
}
