using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Hosting;

/// <summary>Reads a request body up to a limit, counting what actually arrives: Content-Length can be absent (chunked) or wrong.</summary>
public static class BoundedBody
{
    /// <exception cref="RequestTooLargeException">The declared length or the bytes read exceed <paramref name="maxBytes"/>; reading stops there.</exception>
    public static async Task<byte[]> ReadAsync(Stream body, long? declaredLength, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (declaredLength > maxBytes)
        {
            throw new RequestTooLargeException(maxBytes);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new RequestTooLargeException(maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
