using System.Net;

namespace DefenderSnow.Core.Hosting;

/// <summary>
/// Bounds every upstream response body before anything parses it: one declared larger than the limit
/// is refused at once, and one without a length (chunked) fails as soon as reading passes the limit. A
/// compromised or misbehaving upstream cannot make the app buffer without end.
/// </summary>
internal sealed class ResponseSizeLimitHandler : DelegatingHandler
{
    /// <summary>Far above the largest answer DefenderSnow asks for (a page of 500 tickets is well under 2 MB).</summary>
    public const long DefaultMaxBytes = 16L * 1024 * 1024;

    private readonly long _maxBytes;

    public ResponseSizeLimitHandler(long maxBytes = DefaultMaxBytes)
    {
        _maxBytes = maxBytes;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength > _maxBytes)
        {
            response.Dispose();
            throw TooLarge(request);
        }

        var original = response.Content;
        var bounded = new StreamContent(new LimitedStream(await original.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _maxBytes, request.RequestUri));
        foreach (var header in original.Headers)
        {
            bounded.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = bounded;
        return response;
    }

    private HttpRequestException TooLarge(HttpRequestMessage request) => TooLarge(request.RequestUri, _maxBytes);

    private static HttpRequestException TooLarge(Uri? uri, long maxBytes) =>
        new(HttpRequestError.InvalidResponse, $"The response of {uri?.GetLeftPart(UriPartial.Path)} is larger than {maxBytes} bytes.", statusCode: HttpStatusCode.OK);

    /// <summary>Reads through to the inner stream and fails once more than the limit has come.</summary>
    private sealed class LimitedStream : Stream
    {
        private readonly Stream _inner;
        private readonly long _maxBytes;
        private readonly Uri? _uri;
        private long _read;

        public LimitedStream(Stream inner, long maxBytes, Uri? uri)
        {
            _inner = inner;
            _maxBytes = maxBytes;
            _uri = uri;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(_inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Count(int read)
        {
            _read += read;
            return _read > _maxBytes ? throw TooLarge(_uri, _maxBytes) : read;
        }
    }
}
