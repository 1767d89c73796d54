class AutogradBridge(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.AutogradBridge,
    outputs: List[Tensor],
    inputs: List[Tensor],
    grad_outputs: List[Tensor],
    create_graph: Tensor) -> List[Tensor]:
    outs = annotate(List[Tensor], [])
    go = annotate(List[Optional[Tensor]], [])
    for i in range(torch.len(outputs)):
      _0 = ops.prim.requires_grad(outputs[i])
      if _0:
        _1 = torch.append(outs, outputs[i])
        _2 = torch.append(go, grad_outputs[i])
      else:
        pass
    res = annotate(List[Tensor], [])
    if torch.eq(torch.len(outs), 0):
      for i0 in range(torch.len(inputs)):
        _3 = torch.append(res, torch.zeros_like(inputs[i0]))
    else:
      _4 = bool(int(torch.item(create_graph)))
      gs = torch.autograd.grad(outs, inputs, go, True, _4, True)
      for i1 in range(torch.len(inputs)):
        g = gs[i1]
        if torch.__is__(g, None):
          _5 = torch.append(res, torch.zeros_like(inputs[i1]))
        else:
          g0 = unchecked_cast(Tensor, g)
          _6 = torch.append(res, g0)
    return res
