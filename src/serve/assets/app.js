// The workbench's live preview: while the clerk types in a step form, post the form (300 ms
// after the last keystroke) to the form's preview address and draw what comes back — each
// field shown or hidden as the engine decides, its problems beside it, and the drafts of the
// documents the step will issue. A newer request cancels an older one, and only the newest
// answer is drawn. Without this script the form's 预览 button does the same round trip.
"use strict";
(function () {
  var form = document.getElementById("step-form");
  if (!form) {
    return;
  }
  var status = document.getElementById("live-status");
  var drafts = document.getElementById("drafts");
  var timer = null;
  var pending = null;
  var sequence = 0;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function problemsInto(box, problems) {
    if (!box) {
      return;
    }
    while (box.firstChild) {
      box.removeChild(box.firstChild);
    }
    problems.forEach(function (p) {
      var para = document.createElement("p");
      para.className = "problem";
      para.textContent = p.message + (p.help ? "（" + p.help + "）" : "");
      if (p.href) {
        para.appendChild(document.createTextNode(" "));
        var a = document.createElement("a");
        a.href = p.href;
        a.textContent = p.link;
        para.appendChild(a);
      }
      box.appendChild(para);
    });
  }

  function note(text) {
    var p = document.createElement("p");
    p.className = "notice";
    p.textContent = text;
    return p;
  }

  function draw(view) {
    view.fields.forEach(function (f) {
      var div = form.querySelector('.field[data-field="' + f.key + '"]');
      if (div) {
        div.hidden = !f.shown;
      }
      problemsInto(document.getElementById("p-" + f.key), f.problems);
    });
    problemsInto(document.getElementById("general"), view.general);
    problemsInto(document.getElementById("p-_id"), view.id_problems);
    var sha = document.getElementById("f-_sha");
    if (sha) {
      sha.value = view.sha || "";
    }
    var fresh = document.createDocumentFragment();
    if (!view.ready) {
      fresh.appendChild(note("请先改正左侧标出的问题，这里即显示将要生成的文书。"));
    } else if (view.drafts.length === 0) {
      fresh.appendChild(note("这一步不生成文书。"));
    }
    view.drafts.forEach(function (d) {
      var h = document.createElement("h3");
      h.textContent = d.title + (d.numbered ? "（确认办理时编发文字号）" : "");
      fresh.appendChild(h);
      if (d.error) {
        var pre = document.createElement("pre");
        pre.className = "notice";
        pre.textContent = d.error;
        fresh.appendChild(pre);
      }
      d.pages.forEach(function (src, i) {
        var img = document.createElement("img");
        img.className = "page";
        img.src = src;
        img.alt = d.title + " 第 " + (i + 1) + " 页";
        fresh.appendChild(img);
      });
    });
    while (drafts.firstChild) {
      drafts.removeChild(drafts.firstChild);
    }
    drafts.appendChild(fresh);
  }

  function refresh() {
    timer = null;
    if (pending) {
      pending.abort();
    }
    var mine = ++sequence;
    var body = new URLSearchParams(new FormData(form));
    body.delete("_action");
    pending = new AbortController();
    say("正在更新预览…");
    fetch(form.dataset.preview, {
      method: "POST",
      body: body,
      signal: pending.signal,
      credentials: "same-origin",
    })
      .then(function (r) {
        if (!r.ok) {
          throw new Error("HTTP " + r.status);
        }
        return r.json();
      })
      .then(function (view) {
        if (mine !== sequence) {
          return;
        }
        draw(view);
        say(view.ready ? "预览已更新" : "");
        form.dataset.drawn = String(mine);
      })
      .catch(function (e) {
        if (e.name !== "AbortError" && mine === sequence) {
          say("预览暂时无法更新，可点“预览”按钮重试");
        }
      });
  }

  function schedule() {
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(refresh, 300);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);

  // 再加一行: a new empty row in place, without a round trip.
  Array.prototype.forEach.call(form.querySelectorAll("button.addrow"), function (b) {
    b.addEventListener("click", function (ev) {
      var rows = document.getElementById(b.dataset.rows);
      var last = rows && rows.querySelector("input:last-of-type");
      if (!last) {
        return;
      }
      ev.preventDefault();
      var row = last.cloneNode(false);
      row.removeAttribute("id");
      row.value = "";
      rows.appendChild(row);
      row.focus();
    });
  });

  // The first field has the focus, unless the page gave it to another.
  if (!document.activeElement || document.activeElement === document.body) {
    var first = form.querySelector(
      ".field:not([hidden]) input:not([type=hidden]), .field:not([hidden]) select, .field:not([hidden]) textarea"
    );
    if (first) {
      first.focus();
    }
  }
})();
