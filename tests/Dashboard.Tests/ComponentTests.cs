using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using SegCluster.Dashboard.Components.Shared;
using SegCluster.Experiment;

namespace SegCluster.Dashboard.Tests;

/// <summary>Components rendered by bUnit, without a server or browser.</summary>
public sealed class ComponentTests : BunitContext
{
    public ComponentTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    [Fact]
    public void Report_table_view_shows_every_cell_its_note_and_the_three_export_links()
    {
        var table = new ReportTable("Table 1: meanIoU %", ["method", "meanIoU"], [["oslsm", "40.1"], ["1-nn", "30.2"]], "Ours: generated data.");
        var view = Render<ReportTableView>(p => p.Add(v => v.Table, table).Add(v => v.Id, "table1").Add(v => v.RunId, "run a").Add(v => v.ExportName, "table1"));

        var cells = view.FindAll("#table1 tbody td").Select(td => td.TextContent).ToList();
        Assert.Equal(["oslsm", "40.1", "1-nn", "30.2"], cells);
        Assert.Equal(["method", "meanIoU"], view.FindAll("#table1 thead th").Select(th => th.TextContent));
        Assert.Contains("Ours: generated data.", view.Markup);
        Assert.Equal("export/run%20a/table1.csv", view.Find("#table1-csv").GetAttribute("href"));
        Assert.Equal("export/run%20a/table1.tex", view.Find("#table1-tex").GetAttribute("href"));
        Assert.NotNull(view.Find("#table1-md").GetAttribute("download"));
    }

    [Fact]
    public void Report_table_view_without_an_export_name_offers_no_export()
    {
        var table = new ReportTable("t", ["a"], [["1"]], "n");
        var view = Render<ReportTableView>(p => p.Add(v => v.Table, table).Add(v => v.Id, "t"));
        Assert.Empty(view.FindAll("#t-csv"));
    }

    [Fact]
    public void Launch_form_turns_its_fields_into_the_run_config_and_names_a_bad_field()
    {
        var form = new LaunchForm { RunId = " r1 ", Voc = "/data/VOCdevkit", Folds = "0, 2", Shots = "1 5", Methods = ["oslsm", "1-nn"], Preset = "tiny",
            Iterations = 30, Loss = "mean", Seed = 9 };
        var config = form.ToConfig();
        Assert.Equal("r1", config.RunId);
        Assert.Equal([0, 2], config.Folds);
        Assert.Equal([1, 5], config.Shots);
        Assert.Equal(["1-nn", "oslsm"], config.Methods);
        Assert.Equal(30, config.BaseIterations);            // defaults to the iterations, as the CLI's
        Assert.True(config.MeanLoss);
        Assert.Equal(9UL, config.Seed);
        Assert.Null(config.Sbd);
        Assert.Equal(OslsmPreset.Tiny.QuerySize, config.QuerySize);

        Assert.Contains("shots: 'five' is not an integer", Assert.Throws<ArgumentException>(() => new LaunchForm { Shots = "1,five" }.ToConfig()).Message);
        Assert.Contains("preset: known presets are", Assert.Throws<ArgumentException>(() => new LaunchForm { Preset = "resnet" }.ToConfig()).Message);
        Assert.Contains("seed: a non-negative integer", Assert.Throws<ArgumentException>(() => new LaunchForm { Seed = -1 }.ToConfig()).Message);
    }
}
