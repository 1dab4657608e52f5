using System.Net;
using DefenderSnow.Core.Hosting;

namespace DefenderSnow.Tests.Hosting;

public sealed class ResponseSizeLimitHandlerTests
{
    private const int Limit = 1024;

    [Test]
    public async Task A_response_within_the_limit_passes_unchanged_with_its_headers()
    {
        using var client = Client(new string('a', Limit), declareLength: true);

        using var response = await client.GetAsync("https://example.test/x");

        Assert.That(await response.Content.ReadAsStringAsync(), Has.Length.EqualTo(Limit));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
    }

    [Test]
    public void A_response_declared_larger_than_the_limit_is_refused_before_it_is_read()
    {
        using var client = Client(new string('a', Limit + 1), declareLength: true);

        var error = Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("https://example.test/x"));

        Assert.That(error!.HttpRequestError, Is.EqualTo(HttpRequestError.InvalidResponse));
    }

    [Test]
    public void A_chunked_response_fails_once_reading_passes_the_limit()
    {
        using var client = Client(new string('a', Limit * 4), declareLength: false);

        Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            using var response = await client.GetAsync("https://example.test/x", HttpCompletionOption.ResponseHeadersRead);
            await response.Content.ReadAsStringAsync();
        });
    }

    private static HttpClient Client(string body, bool declareLength) =>
        new(new ResponseSizeLimitHandler(Limit) { InnerHandler = new Answer(body, declareLength) });

    private sealed class Answer(string body, bool declareLength) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(body);
            HttpContent content = declareLength ? new ByteArrayContent(bytes) : new StreamContent(new UnknownLengthStream(bytes));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }
    }

    /// <summary>A body whose length is not known up front, as with chunked transfer encoding.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
