# The eager-mode source of the TorchScript in resources/dev/minima/autograd/autograd_bridge.py.
# Not needed to build or run Minima (the serialized source is kept in the repository and archived from
# Java by TorchScriptArchive); with Debian's python3-torch it regenerates that file:
#   python3 autograd_bridge_source.py && unzip -p bridge.pt bridge/code/__torch__.py
import torch
from typing import List, Optional
class AutogradBridge(torch.nn.Module):
    def forward(self, outputs: List[torch.Tensor], inputs: List[torch.Tensor],
                grad_outputs: List[torch.Tensor], create_graph: torch.Tensor) -> List[torch.Tensor]:
        outs: List[torch.Tensor] = []
        go: List[Optional[torch.Tensor]] = []
        for i in range(len(outputs)):
            if outputs[i].requires_grad:
                outs.append(outputs[i])
                go.append(grad_outputs[i])
        res: List[torch.Tensor] = []
        if len(outs) == 0:
            for i in range(len(inputs)):
                res.append(torch.zeros_like(inputs[i]))
            return res
        gs = torch.autograd.grad(outs, inputs, go, retain_graph=True,
                                 create_graph=bool(create_graph.item()), allow_unused=True)
        for i in range(len(inputs)):
            g = gs[i]
            if g is None:
                res.append(torch.zeros_like(inputs[i]))
            else:
                res.append(g)
        return res
m = torch.jit.script(AutogradBridge())
m.save("bridge.pt")
