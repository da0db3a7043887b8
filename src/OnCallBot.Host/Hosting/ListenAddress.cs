namespace OnCallBot.Host.Hosting;

/// <summary>
/// Where the web host listens: wherever the admin said, by any of ASP.NET Core's usual ways, else
/// <see cref="Default"/> (loopback only). Setting the default in <c>appsettings.json</c> would outrank
/// <c>ASPNETCORE_URLS</c> and <c>ASPNETCORE_HTTP_PORTS</c>, which ASP.NET Core reads below the JSON files.
/// </summary>
internal static class ListenAddress
{
    public const string Default = "http://127.0.0.1:5080";

    /// <summary>
    /// Whether the configuration names an address: <c>urls</c> (<c>ASPNETCORE_URLS</c>, <c>DOTNET_URLS</c>,
    /// <c>--urls</c>, <c>Urls</c> from any source), <c>http_ports</c> or <c>https_ports</c> (<c>ASPNETCORE_HTTP_PORTS</c>,
    /// <c>HTTP_PORTS</c> and the HTTPS ones), or Kestrel endpoints (<c>Kestrel:Endpoints</c>).
    /// </summary>
    public static bool IsSet(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
            || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
            || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
            || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
    }

    /// <summary>
    /// Listens on <see cref="Default"/> unless an address is set. Call it once every settings source is in
    /// (the environment and the command line are, from <c>CreateBuilder</c>; the admin's own JSON file after it).
    /// </summary>
    public static WebApplicationBuilder UseDefaultAddressUnlessSet(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!IsSet(builder.Configuration))
        {
            builder.WebHost.UseUrls(Default);
        }
        return builder;
    }
}
