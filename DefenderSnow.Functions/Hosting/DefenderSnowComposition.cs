using DefenderSnow.Core;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Functions.Http;
using DefenderSnow.Functions.Security;
using DefenderSnow.Functions.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace DefenderSnow.Functions.Hosting;

/// <summary>
/// The app's one composition method. <c>Program.cs</c> calls it, and so do the tests, so the graph
/// tests resolve is the graph that runs in Azure.
/// </summary>
public static class DefenderSnowComposition
{
    public static TBuilder AddDefenderSnow<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        // The one clock of the app, registered here and nowhere in Core; a test replaces it after this call.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddDefenderSnowCore(builder.Configuration);
        builder.AddDefenderSnowTelemetry();
        builder.Services.AddValidatedOptions<AuthorizationOptions, AuthorizationOptionsValidation>(builder.Configuration.GetSection(AuthorizationOptions.SectionName))
            // The platform's own setting, outside the section: whether App Service authentication sets the principal.
            .Configure(options => options.PlatformAuthentication = string.Equals(
                builder.Configuration[AuthorizationOptions.PlatformAuthenticationSetting], "true", StringComparison.OrdinalIgnoreCase));
        builder.Services.AddSingleton<CallerAuthorization>();
        builder.Services.AddSingleton<HttpEndpoint>();
        return builder;
    }
}
