using TorchSharp;
Console.WriteLine(torch.__version__);
var x = torch.randn(1,3,8,8, requires_grad: true);
var c = torch.nn.Conv2d(3,4,3);
var y = c.forward(x).sum(); y.backward();
Console.WriteLine(x.grad!.abs().sum().item<float>());
