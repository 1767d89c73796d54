class FusedMlpSam(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.FusedMlpSam,
    params: List[Tensor],
    grads: List[Tensor],
    x: Tensor,
    y: Tensor,
    cfg: Tensor,
    scalars: Tensor,
    order: Tensor,
    hyper: Tensor) -> List[Tensor]:
    c = annotate(List[int], cfg.tolist())
    s = annotate(List[float], scalars.tolist())
    if torch.eq(torch.size(order, 0), 0):
      _s0 = (self).sam(params, grads, x, y, c, s[0], s[1], )
    else:
      if torch.lt(c[2], 2):
        _s0 = (self).squared_error_steps(params, x, y, c, s[1], s[2], order, hyper, )
      else:
        _s0 = (self).sgd_steps(params, grads, x, y, c, s[1], s[2], order, hyper, )
    return _s0
  def squared_error_steps(self: __torch__.FusedMlpSam,
    params: List[Tensor],
    x: Tensor,
    y: Tensor,
    c: List[int],
    scale: float,
    wd: float,
    order: Tensor,
    hyper: Tensor) -> List[Tensor]:
    hp = annotate(List[List[float]], hyper.tolist())
    nl = c[0]
    kind = c[2]
    usam = torch.eq(c[3], 1)
    acts = torch.slice(c, 4, torch.add(4, nl))
    hasb = torch.slice(c, torch.add(4, nl), torch.add(4, torch.mul(2, nl)))
    steps = torch.size(order, 0)
    bsz = torch.size(order, 1)
    ps = annotate(List[Tensor], [])
    flats = annotate(List[Tensor], [])
    for i in range(torch.len(params)):
      p = torch.detach(params[i])
      _0 = torch.append(ps, p)
      _1 = torch.append(flats, torch.reshape(p, [-1]))
    big = torch.cat(flats)
    g1 = torch.zeros_like(big)
    g2 = torch.zeros_like(big)
    q = torch.zeros_like(big)
    pv = (self).views(big, ps, )
    g1v = (self).views(g1, ps, )
    g2v = (self).views(g2, ps, )
    qv = (self).views(q, ps, )
    wi = annotate(List[int], [])
    bi = annotate(List[int], [])
    j = 0
    for l in range(nl):
      _2 = torch.append(wi, j)
      j = torch.add(j, 1)
      if torch.eq(hasb[l], 1):
        _3 = torch.append(bi, j)
        j = torch.add(j, 1)
      else:
        _4 = torch.append(bi, -1)
    pwt = annotate(List[Tensor], [])
    qwt = annotate(List[Tensor], [])
    for l2 in range(nl):
      _5 = torch.append(pwt, torch.t(pv[wi[l2]]))
      _6 = torch.append(qwt, torch.t(qv[wi[l2]]))
    flat = torch.reshape(order, [-1])
    xo = torch.index_select(x, 0, flat)
    yo = torch.index_select(y, 0, flat)
    yo = torch.to(torch.reshape(yo, [torch.size(yo, 0), -1]), ops.prim.dtype(x))
    xs = torch.split(xo, bsz)
    ys = torch.split(yo, bsz)
    k = torch.size(yo, 1)
    if torch.eq(kind, 0):
      coef = torch.div(torch.mul(2., scale), torch.mul(k, bsz))
    else:
      coef = torch.div(torch.mul(2., scale), bsz)
    diffs = annotate(List[Tensor], [])
    diffsp = annotate(List[Tensor], [])
    done = 0
    failed = False
    for t in range(steps):
      xb = xs[t]
      yb = ys[t]
      rho = hp[t][1]
      lr = hp[t][0]
      fw = (self).forward_pass(pv, pwt, bi, acts, xb, )
      diff = torch.sub(fw[0][nl], yb)
      _7 = torch.append(diffs, diff)
      _8 = (self).backprop(pv, wi, bi, acts, fw[0], fw[1], torch.mul(diff, coef), g1v, )
      nv = float(torch.item(torch.linalg_vector_norm(g1)))
      if torch.__not__(torch.lt(nv, inf)):
        failed = True
        break
      if torch.eq(rho, 0.):
        perturb = False
      else:
        perturb = torch.gt(nv, 0.)
      if perturb:
        if usam:
          sc = rho
        else:
          sc = torch.div(rho, nv)
        _9 = torch.add(big, g1, alpha=sc, out=q)
        fw2 = (self).forward_pass(qv, qwt, bi, acts, xb, )
        diff2 = torch.sub(fw2[0][nl], yb)
        _10 = torch.append(diffsp, diff2)
        _11 = (self).backprop(qv, wi, bi, acts, fw2[0], fw2[1], torch.mul(diff2, coef), g2v, )
        g = g2
      else:
        _12 = torch.append(diffsp, diff)
        g = g1
      if torch.ne(wd, 0.):
        _13 = torch.add_(g, big, alpha=wd)
      _14 = torch.sub_(big, torch.mul_(g, lr))
      done = torch.add(done, 1)
    if torch.__not__(failed):
      failed = torch.__not__(bool(torch.item(torch.all(torch.isfinite(big)))))
    _15 = ops.prim.dtype(x)
    if failed:
      return [torch.zeros([0, 5], dtype=7), torch.zeros([1], dtype=_15)]
    for i3 in range(torch.len(ps)):
      _16 = torch.copy_(ps[i3], pv[i3])
    lw = torch.sum(torch.square(torch.stack(diffs)), [1, 2])
    lp = torch.sum(torch.square(torch.stack(diffsp)), [1, 2])
    if torch.eq(kind, 0):
      div = torch.mul(k, bsz)
    else:
      div = bsz
    lw = torch.div(torch.mul(lw, scale), div)
    lp = torch.div(torch.mul(lp, scale), div)
    stats = torch.zeros([steps, 5], dtype=7)
    _17 = torch.copy_(torch.select(stats, 1, 0), lw)
    _18 = torch.copy_(torch.select(stats, 1, 1), lp)
    return [stats, torch.full([1], done, dtype=_15)]
  def views(self: __torch__.FusedMlpSam,
    flat: Tensor,
    like: List[Tensor]) -> List[Tensor]:
    out = annotate(List[Tensor], [])
    off = 0
    for i in range(torch.len(like)):
      n = torch.numel(like[i])
      _0 = torch.append(out, torch.view(torch.narrow(flat, 0, off, n), torch.size(like[i])))
      off = torch.add(off, n)
    return out
  def forward_pass(self: __torch__.FusedMlpSam,
    ps: List[Tensor],
    wts: List[Tensor],
    bi: List[int],
    acts: List[int],
    x: Tensor) -> List[List[Tensor]]:
    ins = annotate(List[Tensor], [])
    zs = annotate(List[Tensor], [])
    a = x
    for l in range(torch.len(wts)):
      _0 = torch.append(ins, a)
      if torch.ge(bi[l], 0):
        z = torch.addmm(ps[bi[l]], a, wts[l])
      else:
        z = torch.mm(a, wts[l])
      _1 = torch.append(zs, z)
      a = (self).act(acts[l], z, )
    _2 = torch.append(ins, a)
    return [ins, zs]
  def backprop(self: __torch__.FusedMlpSam,
    ps: List[Tensor],
    wi: List[int],
    bi: List[int],
    acts: List[int],
    ins: List[Tensor],
    zs: List[Tensor],
    e: Tensor,
    out: List[Tensor]) -> List[Tensor]:
    nl = torch.len(wi)
    for i0 in range(nl):
      l = torch.sub(torch.sub(nl, 1), i0)
      code = acts[l]
      if torch.eq(code, 1):
        d = torch.threshold_backward(e, zs[l], 0.)
      else:
        if torch.eq(code, 0):
          d = e
        else:
          d = torch.mul(e, (self).dact(code, zs[l], (self).act(code, zs[l], ), ))
      _0 = torch.mm(torch.t(d), ins[l], out=out[wi[l]])
      if torch.ge(bi[l], 0):
        _1 = torch.sum(d, [0], False, dtype=None, out=out[bi[l]])
      if torch.gt(l, 0):
        e = torch.mm(d, ps[wi[l]])
    return out
  def sgd_steps(self: __torch__.FusedMlpSam,
    params: List[Tensor],
    grads: List[Tensor],
    x: Tensor,
    y: Tensor,
    c: List[int],
    scale: float,
    wd: float,
    order: Tensor,
    hyper: Tensor) -> List[Tensor]:
    hp = annotate(List[List[float]], hyper.tolist())
    steps = torch.size(order, 0)
    ws = annotate(List[Tensor], [])
    for i in range(torch.len(params)):
      _0 = torch.append(ws, torch.detach(params[i]))
    stats = torch.zeros([steps, 5], dtype=7)
    done = 0
    for k in range(steps):
      idx = torch.select(order, 0, k)
      xb = torch.index_select(x, 0, idx)
      yb = torch.index_select(y, 0, idx)
      r = (self).sam(params, grads, xb, yb, c, hp[k][1], scale, )
      st = r[0]
      _1 = torch.copy_(torch.select(stats, 0, k), st)
      ok = bool(torch.item(torch.all(torch.isfinite(st))))
      if torch.__not__(ok):
        break
      lr = hp[k][0]
      for i0 in range(torch.len(ws)):
        g = grads[i0]
        _2 = torch.mul_(torch.add_(g, ws[i0], alpha=wd), lr)
        _3 = torch.sub_(ws[i0], g)
      done = torch.add(done, 1)
    _4 = ops.prim.dtype(x)
    return [stats, torch.full([1], done, dtype=_4)]
  def sam(self: __torch__.FusedMlpSam,
    params: List[Tensor],
    grads: List[Tensor],
    x: Tensor,
    y: Tensor,
    c: List[int],
    rho: float,
    scale: float) -> List[Tensor]:
    nl = c[0]
    per_example = torch.eq(c[1], 1)
    kind = c[2]
    usam = torch.eq(c[3], 1)
    acts = torch.slice(c, 4, torch.add(4, nl))
    hasb = torch.slice(c, torch.add(4, nl), torch.add(4, torch.mul(2, nl)))
    ws = annotate(List[Tensor], [])
    bs = annotate(List[Tensor], [])
    k = 0
    for l in range(nl):
      _0 = torch.append(ws, torch.detach(params[k]))
      k0 = torch.add(k, 1)
      if torch.eq(hasb[l], 1):
        _1 = torch.append(bs, torch.detach(params[k0]))
        k1 = torch.add(k0, 1)
      else:
        _2 = ops.prim.dtype(x)
        _3 = torch.append(bs, torch.zeros([0], dtype=_2))
        k1 = k0
      k = k1
    b = torch.size(x, 0)
    ins = annotate(List[Tensor], [])
    zs = annotate(List[Tensor], [])
    outs = annotate(List[Tensor], [])
    a = x
    for l0 in range(nl):
      _4 = torch.append(ins, a)
      z = torch.matmul(a, torch.t(ws[l0]))
      if torch.eq(hasb[l0], 1):
        z0 = torch.add(z, bs[l0])
      else:
        z0 = z
      _5 = torch.append(zs, z0)
      a0 = (self).act(acts[l0], z0, )
      _6 = torch.append(outs, a0)
      a = a0
    lg = (self).loss_grad(kind, scale, a, y, per_example, )
    loss_w = torch.mean(lg[0])
    e = lg[1]
    deltas = annotate(List[Tensor], [])
    e0 = e
    for i in range(nl):
      l1 = torch.sub(torch.sub(nl, 1), i)
      _7 = (self).dact(acts[l1], zs[l1], outs[l1], )
      d = torch.mul(e0, _7)
      torch.insert(deltas, 0, d)
      if torch.gt(l1, 0):
        e1 = torch.matmul(d, ws[l1])
      else:
        e1 = e0
      e0 = e1
    res = annotate(List[Tensor], [])
    if per_example:
      _8 = ops.prim.dtype(x)
      sq = torch.zeros([b], dtype=_8)
      sq0 = sq
      for l2 in range(nl):
        _9 = torch.mul(deltas[l2], deltas[l2])
        dn = torch.sum(_9, [1])
        an = torch.sum(torch.mul(ins[l2], ins[l2]), [1])
        if torch.eq(hasb[l2], 1):
          an0 = torch.add(an, 1)
        else:
          an0 = an
        sq1 = torch.add(sq0, torch.mul(dn, an0))
        sq0 = sq1
      norm = torch.sqrt(sq0)
      if usam:
        coef = torch.full_like(norm, rho)
      else:
        _10 = torch.gt(norm, 0)
        _11 = torch.where(torch.gt(norm, 0), norm, torch.ones_like(norm))
        _12 = torch.mul(torch.reciprocal(_11), rho)
        coef0 = torch.where(_10, _12, torch.zeros_like(norm))
        coef = coef0
      if torch.eq(rho, 0.):
        coef1 = torch.zeros_like(norm)
      else:
        coef1 = coef
      coef2 = torch.unsqueeze(coef1, 1)
      ins2 = annotate(List[Tensor], [])
      zs2 = annotate(List[Tensor], [])
      outs2 = annotate(List[Tensor], [])
      a1 = x
      for l3 in range(nl):
        _13 = torch.append(ins2, a1)
        r = torch.sum(torch.mul(ins[l3], a1), [1], True)
        if torch.eq(hasb[l3], 1):
          r0 = torch.add(r, 1)
        else:
          r0 = r
        _14 = torch.matmul(a1, torch.t(ws[l3]))
        _15 = torch.mul(torch.mul(coef2, r0), deltas[l3])
        z1 = torch.add(_14, _15)
        if torch.eq(hasb[l3], 1):
          z2 = torch.add(z1, bs[l3])
        else:
          z2 = z1
        _16 = torch.append(zs2, z2)
        a2 = (self).act(acts[l3], z2, )
        _17 = torch.append(outs2, a2)
        a1 = a2
      lg2 = (self).loss_grad(kind, scale, a1, y, True, )
      loss_p = torch.mean(lg2[0])
      e2 = torch.div(lg2[1], b)
      k2 = torch.sub(torch.len(params), 1)
      e3 = e2
      k3 = k2
      for i0 in range(nl):
        l4 = torch.sub(torch.sub(nl, 1), i0)
        _18 = (self).dact(acts[l4], zs2[l4], outs2[l4], )
        d0 = torch.mul(e3, _18)
        if torch.eq(hasb[l4], 1):
          _19 = torch.copy_(grads[k3], torch.sum(d0, [0]))
          k4 = torch.sub(k3, 1)
        else:
          k4 = k3
        _20 = grads[k4]
        _21 = torch.matmul(torch.t(d0), ins2[l4])
        _22 = torch.copy_(_20, _21)
        k5 = torch.sub(k4, 1)
        if torch.gt(l4, 0):
          _23 = torch.matmul(d0, ws[l4])
          _24 = torch.sum(torch.mul(d0, deltas[l4]), [1], True)
          _25 = torch.mul(torch.mul(coef2, _24), ins[l4])
          e4 = torch.add(_23, _25)
        else:
          e4 = e3
        e3, k3 = e4, k5
      _26 = torch.to(torch.gt(coef2, 0), ops.prim.dtype(x))
      applied = torch.sum(_26)
      stats0 = [loss_w, loss_p, torch.mean(norm), applied]
      stats = stats0
    else:
      gws = annotate(List[Tensor], [])
      gbs = annotate(List[Tensor], [])
      _27 = ops.prim.dtype(x)
      sq2 = torch.zeros(annotate(List[int], []), dtype=_27)
      sq3 = sq2
      for l5 in range(nl):
        gw = torch.matmul(torch.t(deltas[l5]), ins[l5])
        _28 = torch.append(gws, gw)
        flat = torch.reshape(gw, [-1])
        sq4 = torch.add(sq3, torch.dot(flat, flat))
        if torch.eq(hasb[l5], 1):
          gb = torch.sum(deltas[l5], [0])
          sq6 = torch.add(sq4, torch.dot(gb, gb))
          _29 = torch.append(gbs, gb)
          sq5 = sq6
        else:
          _30 = torch.append(gbs, bs[l5])
          sq5 = sq4
        sq3 = sq5
      norm0 = torch.sqrt(sq3)
      nv = float(torch.item(norm0))
      if torch.eq(rho, 0.):
        _31 = True
      else:
        _31 = torch.eq(nv, 0.)
      if _31:
        _32 = True
      else:
        _33 = torch.__not__(torch.lt(nv, inf))
        _32 = _33
      if _32:
        k6 = 0
        for l6 in range(nl):
          _34 = torch.copy_(grads[k6], gws[l6])
          k7 = torch.add(k6, 1)
          if torch.eq(hasb[l6], 1):
            _35 = torch.copy_(grads[k7], gbs[l6])
            k8 = torch.add(k7, 1)
          else:
            k8 = k7
          k6 = k8
        _36 = ops.prim.dtype(x)
        _37 = torch.zeros(annotate(List[int], []), dtype=_36)
        stats1 = [loss_w, loss_w, norm0, _37]
      else:
        if usam:
          _38 = ops.prim.dtype(x)
          sc0 = torch.full(annotate(List[int], []), rho, dtype=_38)
          sc = sc0
        else:
          _39 = ops.prim.dtype(x)
          _40 = torch.full(annotate(List[int], []), rho, dtype=_39)
          sc = torch.div(_40, norm0)
        pw = annotate(List[Tensor], [])
        pb = annotate(List[Tensor], [])
        for l7 in range(nl):
          _41 = torch.add(ws[l7], torch.mul(gws[l7], sc))
          _42 = torch.append(pw, _41)
          if torch.eq(hasb[l7], 1):
            _43 = torch.add(bs[l7], torch.mul(gbs[l7], sc))
            _44 = torch.append(pb, _43)
          else:
            _45 = torch.append(pb, bs[l7])
        ins20 = annotate(List[Tensor], [])
        zs20 = annotate(List[Tensor], [])
        outs20 = annotate(List[Tensor], [])
        a3 = x
        for l8 in range(nl):
          _46 = torch.append(ins20, a3)
          z3 = torch.matmul(a3, torch.t(pw[l8]))
          if torch.eq(hasb[l8], 1):
            z4 = torch.add(z3, pb[l8])
          else:
            z4 = z3
          _47 = torch.append(zs20, z4)
          a4 = (self).act(acts[l8], z4, )
          _48 = torch.append(outs20, a4)
          a3 = a4
        lg20 = (self).loss_grad(kind, scale, a3, y, False, )
        loss_p0 = torch.mean(lg20[0])
        e5 = lg20[1]
        k9 = torch.sub(torch.len(params), 1)
        e6 = e5
        k10 = k9
        for i1 in range(nl):
          l9 = torch.sub(torch.sub(nl, 1), i1)
          _49 = (self).dact(acts[l9], zs20[l9], outs20[l9], )
          d1 = torch.mul(e6, _49)
          if torch.eq(hasb[l9], 1):
            _50 = torch.copy_(grads[k10], torch.sum(d1, [0]))
            k11 = torch.sub(k10, 1)
          else:
            k11 = k10
          _51 = grads[k11]
          _52 = torch.matmul(torch.t(d1), ins20[l9])
          _53 = torch.copy_(_51, _52)
          k12 = torch.sub(k11, 1)
          if torch.gt(l9, 0):
            e7 = torch.matmul(d1, pw[l9])
          else:
            e7 = e6
          e6, k10 = e7, k12
        _54 = ops.prim.dtype(x)
        _55 = torch.ones(annotate(List[int], []), dtype=_54)
        stats1 = [loss_w, loss_p0, norm0, _55]
      stats = stats1
    _56 = ops.prim.dtype(x)
    total = torch.zeros(annotate(List[int], []), dtype=_56)
    total0 = total
    for _57 in range(torch.len(grads)):
      g = grads[_57]
      fl = torch.reshape(g, [-1])
      total1 = torch.add(total0, torch.dot(fl, fl))
      total0 = total1
    _58 = torch.append(stats, total0)
    _59 = torch.append(res, torch.stack(stats))
    _60 = torch.eq(c[torch.add(4, torch.mul(2, nl))], 1)
    if _60:
      _61 = torch.append(res, a)
    else:
      pass
    return res
  def act(self: __torch__.FusedMlpSam,
    code: int,
    z: Tensor) -> Tensor:
    if torch.eq(code, 1):
      _62 = torch.relu(z)
    else:
      if torch.eq(code, 2):
        _63 = torch.tanh(z)
      else:
        if torch.eq(code, 3):
          _64 = torch.sigmoid(z)
        else:
          _64 = z
        _63 = _64
      _62 = _63
    return _62
  def loss_grad(self: __torch__.FusedMlpSam,
    kind: int,
    scale: float,
    f: Tensor,
    y: Tensor,
    per_example: bool) -> List[Tensor]:
    b = torch.size(f, 0)
    if torch.eq(kind, 2):
      logp = torch.log_softmax(f, 1)
      if torch.eq(torch.dim(y), 2):
        _67 = torch.eq(torch.size(y, 1), torch.size(f, 1))
        _66 = _67
      else:
        _66 = False
      if _66:
        t = torch.to(y, ops.prim.dtype(f))
      else:
        _68 = torch.to(torch.reshape(y, [-1]), 4)
        _69 = torch.one_hot(_68, torch.size(f, 1))
        t0 = torch.to(_69, ops.prim.dtype(f))
        t = t0
      _70 = torch.sum(torch.mul(logp, t), [1])
      li = torch.neg(_70)
      _71 = torch.mul(torch.softmax(f, 1), torch.sum(t, [1], True))
      g = torch.sub(_71, t)
      if torch.__not__(per_example):
        g0 = torch.div(g, b)
      else:
        g0 = g
      _65 = [li, g0]
    else:
      yy = torch.to(torch.reshape(y, torch.size(f)), ops.prim.dtype(f))
      diff = torch.sub(f, yy)
      k = torch.floordiv(torch.numel(f), b)
      if torch.eq(kind, 0):
        _72 = torch.sum(torch.mul(diff, diff), [1])
        li1 = torch.div(torch.mul(_72, scale), k)
        _73 = torch.div(torch.mul(2., scale), k)
        g1, li0 = torch.mul(diff, _73), li1
      else:
        _74 = torch.sum(torch.mul(diff, diff), [1])
        li2 = torch.mul(_74, scale)
        g2 = torch.mul(diff, torch.mul(2., scale))
        g1, li0 = g2, li2
      if torch.__not__(per_example):
        g3 = torch.div(g1, b)
      else:
        g3 = g1
      _65 = [li0, g3]
    return _65
  def dact(self: __torch__.FusedMlpSam,
    code: int,
    z: Tensor,
    a: Tensor) -> Tensor:
    if torch.eq(code, 1):
      _76 = torch.to(torch.gt(z, 0), ops.prim.dtype(z))
      _75 = _76
    else:
      if torch.eq(code, 2):
        _78 = torch.add(torch.neg(torch.mul(a, a)), 1)
        _77 = _78
      else:
        if torch.eq(code, 3):
          _80 = torch.mul(a, torch.add(torch.neg(a), 1))
          _79 = _80
        else:
          _79 = torch.ones_like(z)
        _77 = _79
      _75 = _77
    return _75
