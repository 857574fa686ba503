# Login shells reset PATH in /etc/profile; put the user-owned tool folders of
# slipway/workspace-full back in front (see its Dockerfile).
for d in "$HOME/.gem/bin" "$HOME/.cargo/bin" "$HOME/go/bin" "$HOME/.local/bin" "$HOME/.npm-global/bin"; do
  case ":$PATH:" in *":$d:"*) ;; *) PATH="$d:$PATH" ;; esac
done
export PATH
