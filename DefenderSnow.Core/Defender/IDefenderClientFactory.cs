namespace DefenderSnow.Core.Defender;

/// <summary>
/// Makes the Resource Manager client, the counterpart of <see cref="ServiceNow.IServiceNowClientFactory"/>. The factory
/// is a singleton and holds what is costly to build (the serializer settings); each client is cheap and runs on a fresh
/// <see cref="HttpClient"/> from the named <c>ResourceManager</c> client, so its handler chain (pacing, authentication,
/// retries, request meter, throttle observer) rotates as <see cref="IHttpClientFactory"/> rotates it. Singletons take
/// this factory; everything shorter-lived may take <see cref="IDefenderClient"/>, which is made by it.
/// </summary>
public interface IDefenderClientFactory
{
    IDefenderClient Create();
}
