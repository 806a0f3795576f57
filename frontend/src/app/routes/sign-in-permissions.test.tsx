import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi } from '@/testing/mock-api';
import { renderApp } from '@/testing/render';

describe('the missing-permission page', () => {
  it('names the missing permission and offers to grant it, coming back where the sign-in was going', () => {
    mockApi();
    renderApp('/signin/permissions?missing=instagram_business_manage_comments&return_to=%2Ftop-users');

    expect(screen.getByRole('heading', { level: 2, name: 'Instacrush cannot see your comments yet' })).toBeInTheDocument();
    expect(screen.getByText('instagram_business_manage_comments', { selector: 'code' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Allow access to comments' })).toHaveAttribute(
      'href',
      '/api/auth/instagram?return_to=/top-users',
    );
  });

  it('echoes no unknown permission and no address of another site', () => {
    mockApi();
    renderApp('/signin/permissions?missing=%3Cb%3Eevil%3C%2Fb%3E&return_to=%2F%2Fevil.example');

    expect(screen.queryByText(/evil/)).not.toBeInTheDocument();
    expect(screen.getByText('instagram_business_manage_comments', { selector: 'code' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Allow access to comments' })).toHaveAttribute(
      'href',
      '/api/auth/instagram?return_to=/loading',
    );
  });
});
