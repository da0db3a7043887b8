using Microsoft.Extensions.Configuration;
using OnCallBot.Host.Hosting;

namespace OnCallBot.Host.Tests;

public sealed class ListenAddressTests
{
    private static IConfiguration Settings(string key, string value) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

    [Theory]
    [InlineData("urls", "http://0.0.0.0:8080")]                 // ASPNETCORE_URLS, DOTNET_URLS, --urls
    [InlineData("Urls", "http://127.0.0.1:6001")]               // appsettings.json, the Urls variable, --Urls
    [InlineData("HTTP_PORTS", "8080")]                          // ASPNETCORE_HTTP_PORTS, HTTP_PORTS
    [InlineData("https_ports", "8443")]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://127.0.0.1:6002")]
    public void IsSet_AnyUsualWay_IsTrue(string key, string value)
    {
        Assert.True(ListenAddress.IsSet(Settings(key, value)));
    }

    [Theory]
    [InlineData("Storage:Provider", "sqlite")]
    [InlineData("urls", "")]
    [InlineData("http_ports", " ")]
    public void IsSet_NothingAboutTheAddress_IsFalse(string key, string value)
    {
        Assert.False(ListenAddress.IsSet(Settings(key, value)));
    }

    [Fact]
    public void ShippedAppSettings_SetNoAddress()
    {
        // An address in the shipped file would outrank ASPNETCORE_URLS and ASPNETCORE_HTTP_PORTS.
        var shipped = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false).Build();

        Assert.False(ListenAddress.IsSet(shipped));
    }
}
